// JSON answers from a local model: a client's JSON Schema as the schema a grammar is built from
// (what a grammar can hold kept, what it cannot follow refused with where), and the answer checked
// against the whole schema afterwards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CairnError } from '../../app/contract/index.ts';
import { grammarSchema, JsonSchemaChecker } from '../../app/llm/index.ts';

const where = "The response format's schema";

test('the grammar keeps types, properties, unions, enums, references and sizes', () => {
  // As zod writes a schema: draft 2020-12, bounds on integers, a pattern on an email.
  const zodLike = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      n: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
      email: { type: 'string', format: 'email', pattern: '^.+@.+$' },
      kind: { type: 'string', enum: ['a', 'b'] },
      maybe: { type: ['string', 'null'] },
      when: { type: 'string', format: 'date' },
      tags: { type: 'array', items: { type: 'string', maxLength: 10 }, maxItems: 3 },
      node: { $ref: '#/definitions/node' },
    },
    required: ['n', 'email', 'kind'],
    additionalProperties: false,
    definitions: { node: { anyOf: [{ type: 'null' }, { type: 'object', properties: { next: { $ref: '#/$defs/node' } } }] } },
  };
  assert.deepEqual(grammarSchema(zodLike, where), {
    type: 'object',
    properties: {
      n: { type: 'integer' },
      email: { type: 'string' },
      kind: { enum: ['a', 'b'] },
      maybe: { oneOf: [{ type: 'string' }, { type: 'null' }] },
      when: { type: 'string', format: 'date' },
      tags: { type: 'array', items: { type: 'string', maxLength: 10 }, maxItems: 3 },
      node: { $ref: '#/$defs/node' },
    },
    required: ['n', 'email', 'kind'],
    additionalProperties: false,
    $defs: { node: { oneOf: [{ type: 'null' }, { type: 'object', properties: { next: { $ref: '#/$defs/node' } }, additionalProperties: false }] } },
  });
  // An object with no properties named takes any keys; an empty schema any value.
  assert.deepEqual(grammarSchema({ type: 'object' }, where), { type: 'object', properties: {}, additionalProperties: true });
  assert.ok('oneOf' in grammarSchema({}, where));
});

test('what a grammar cannot follow is refused, saying where', () => {
  const cases: [unknown, RegExp][] = [
    [{ type: 'object', properties: { a: { allOf: [{ type: 'string' }, { maxLength: 3 }] } } }, /at 'properties\.a': 'allOf' with more than one schema/],
    [{ $ref: 'https://example.com/schema.json' }, /the reference 'https:\/\/example\.com\/schema\.json' is not to a definition/],
    [{ type: 'object', properties: { a: false } }, /at 'properties\.a': a schema that allows no value/],
    [{ type: 'object', properties: { a: { const: { x: 1 } } } }, /'const' that is an object/],
    [{ type: 'thing' }, /'thing' is not a JSON Schema type/],
  ];
  for (const [schema, message] of cases) {
    assert.throws(() => grammarSchema(schema, where), (error: unknown) => error instanceof CairnError && error.code === 'bad-request' && message.test(error.message), JSON.stringify(schema));
  }
});

test('the checker holds an answer to every rule, numeric bounds and patterns included', () => {
  const checker = new JsonSchemaChecker();
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { age: { type: 'integer', minimum: 0 }, code: { type: 'string', pattern: '^[A-Z]{3}$' } }, required: ['age'] };
  assert.equal(checker.problem(schema, { age: 3, code: 'ABC' }, where), null);
  assert.equal(checker.problem(schema, { age: -3 }, where), '/age must be >= 0');
  assert.equal(checker.problem(schema, { age: 1, code: 'abc' }, where), '/code must match pattern "^[A-Z]{3}$"');
  assert.equal(checker.problem(schema, {}, where), "(the whole value) must have required property 'age'");
  assert.throws(() => checker.prepare({ type: 12 }, where), /is not a valid JSON Schema/);
});
