// JSON answers from a local model. A client's JSON Schema becomes the schema node-llama-cpp builds
// a grammar from, keeping what a grammar can hold (types, properties, enums, unions, references,
// string lengths, array sizes); every answer is then checked against the whole schema (ajv), so
// that what no grammar can hold (numeric bounds, patterns) is never broken silently.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { GbnfJsonSchema } from 'node-llama-cpp';
import { CairnError } from '../contract/index.ts';
import type { JsonSchema } from './chat-model.ts';

type SchemaNode = Record<string, unknown>;

/** Any JSON value (what an empty schema allows). */
const ANY_VALUE: GbnfJsonSchema = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }, { type: 'object', additionalProperties: true }, { type: 'array' }],
};

/** String formats a grammar can hold; other formats are annotations (as JSON Schema 2020-12 has them). */
const GRAMMAR_FORMATS = new Set(['date-time', 'time', 'date']);

/** Keywords that shape a value: a schema with none of them allows any value. */
const SHAPING = ['type', 'properties', 'additionalProperties', 'items', 'prefixItems', 'enum', 'const', 'oneOf', 'anyOf', 'allOf', '$ref'];

const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function refuse(where: string, path: string, what: string): CairnError {
  return new CairnError('bad-request', `${where}${path ? ` at '${path}'` : ''}: ${what}`);
}

/**
 * The schema a grammar is built from. Throws CairnError 'bad-request' (naming where) for what a
 * grammar cannot follow at all: a schema that allows nothing, an intersection of several
 * schemas, a reference outside the schema.
 */
export function grammarSchema(schema: unknown, where: string): GbnfJsonSchema {
  if (schema === true || schema === undefined) return ANY_VALUE;
  const root = node(schema, where, '');
  const definitions = { ...(objectOr(root.definitions)), ...(objectOr(root.$defs)) };
  const converted = convert(root, where, '');
  const names = Object.keys(definitions);
  if (names.length === 0) return converted;
  const $defs = Object.fromEntries(names.map((name) => [name, convert(definitions[name], where, `$defs.${name}`)]));
  // A reference needs its definitions beside it; a root that is a plain type is wrapped so it can carry them.
  const carrier = 'type' in converted || 'oneOf' in converted || '$ref' in converted ? converted : { oneOf: [converted] };
  return { ...carrier, $defs } as GbnfJsonSchema;
}

function objectOr(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function node(value: unknown, where: string, path: string): SchemaNode {
  if (value === false) throw refuse(where, path, 'a schema that allows no value cannot be followed');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw refuse(where, path, 'a schema must be an object');
  return value as SchemaNode;
}

function convert(value: unknown, where: string, path: string): GbnfJsonSchema {
  if (value === true) return ANY_VALUE;
  const n = node(value, where, path);
  const described = typeof n.description === 'string' ? { description: n.description } : {};
  if (!SHAPING.some((k) => k in n)) return ANY_VALUE;
  if (typeof n.$ref === 'string') {
    const name = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(n.$ref)?.[1];
    if (!name) throw refuse(where, path, `the reference '${n.$ref}' is not to a definition in the schema ($defs or definitions)`);
    return { $ref: `#/$defs/${name}`, ...described } as GbnfJsonSchema;
  }
  if ('const' in n) {
    if (!isPrimitive(n.const)) throw refuse(where, path, "a 'const' that is an object or array cannot be followed by a grammar");
    return { const: n.const as string | number | boolean | null, ...described };
  }
  if (Array.isArray(n.enum)) {
    if (!n.enum.every(isPrimitive)) throw refuse(where, path, "an 'enum' with objects or arrays in it cannot be followed by a grammar");
    return { enum: n.enum as (string | number | boolean | null)[], ...described };
  }
  const union = (n.oneOf ?? n.anyOf) as unknown;
  if (union !== undefined) {
    if (n.oneOf !== undefined && n.anyOf !== undefined) throw refuse(where, path, "'oneOf' and 'anyOf' together cannot be followed by a grammar");
    if (!Array.isArray(union) || union.length === 0) throw refuse(where, path, "'oneOf'/'anyOf' must be a non-empty array");
    return { oneOf: union.map((option, i) => convert(option, where, `${path}${path ? '.' : ''}${n.oneOf ? 'oneOf' : 'anyOf'}[${i}]`)), ...described };
  }
  if (n.allOf !== undefined) {
    if (!Array.isArray(n.allOf) || n.allOf.length !== 1) throw refuse(where, path, "'allOf' with more than one schema cannot be followed by a grammar");
    const { allOf: _, ...rest } = n;
    return convert({ ...rest, ...node(n.allOf[0], where, `${path}.allOf[0]`) }, where, path);
  }
  let types: string[];
  if (typeof n.type === 'string') types = [n.type];
  else if (Array.isArray(n.type)) types = n.type.filter((t): t is string => typeof t === 'string');
  else if ('properties' in n || 'additionalProperties' in n) types = ['object'];
  else if ('items' in n || 'prefixItems' in n) types = ['array'];
  else return ANY_VALUE;
  // OpenAPI's "nullable" (some schema generators write it).
  if (n.nullable === true && !types.includes('null')) types.push('null');
  if (types.length === 0) throw refuse(where, path, "'type' names no type");
  if (types.length === 1) return typed(n, types[0]!, where, path);
  return { oneOf: types.map((type) => typed(n, type, where, path)), ...described };
}

function typed(n: SchemaNode, type: string, where: string, path: string): GbnfJsonSchema {
  const described = typeof n.description === 'string' ? { description: n.description } : {};
  const at = (key: string) => `${path}${path ? '.' : ''}${key}`;
  const count = (key: string) => (typeof n[key] === 'number' && Number.isInteger(n[key]) ? { [key]: n[key] as number } : {});
  switch (type) {
    case 'string':
      if (typeof n.format === 'string' && GRAMMAR_FORMATS.has(n.format)) return { type: 'string', format: n.format as 'date-time' | 'time' | 'date', ...described };
      return { type: 'string', ...count('minLength'), ...count('maxLength'), ...described };
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { type, ...described };
    case 'object': {
      const properties = objectOr(n.properties);
      const names = Object.keys(properties);
      const additional = n.additionalProperties;
      return {
        type: 'object',
        properties: Object.fromEntries(names.map((name) => [name, convert(properties[name], where, at(`properties.${name}`))])),
        ...(Array.isArray(n.required) ? { required: n.required.filter((r): r is string => typeof r === 'string' && names.includes(r)) } : {}),
        // Without properties and without a rule for others, any keys (an empty object is not all it allows).
        additionalProperties:
          additional === undefined ? names.length === 0 : typeof additional === 'boolean' ? additional : convert(additional, where, at('additionalProperties')),
        ...count('minProperties'),
        ...count('maxProperties'),
        ...described,
      } as GbnfJsonSchema;
    }
    case 'array':
      return {
        type: 'array',
        ...(n.items !== undefined && n.items !== true ? { items: convert(n.items, where, at('items')) } : {}),
        ...(Array.isArray(n.prefixItems) ? { prefixItems: n.prefixItems.map((item, i) => convert(item, where, at(`prefixItems[${i}]`))) } : {}),
        ...count('minItems'),
        ...count('maxItems'),
        ...described,
      } as GbnfJsonSchema;
    default:
      throw refuse(where, path, `'${type}' is not a JSON Schema type`);
  }
}

/** Checks JSON values against the JSON Schemas clients send, each schema compiled once. */
export class JsonSchemaChecker {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false, logger: false });
  readonly #compiled = new Map<string, ValidateFunction>();

  /** Compiles the schema (throws CairnError 'bad-request' when it is not a valid JSON Schema). */
  prepare(schema: JsonSchema, where: string): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (!validate) {
      // Any draft's $schema line: the 2020-12 rules read the keywords clients use the same way.
      const { $schema: _, ...rest } = schema;
      try {
        validate = this.#ajv.compile(rest);
      } catch (error) {
        throw new CairnError('bad-request', `${where} is not a valid JSON Schema: ${(error as Error).message}`);
      }
      if (this.#compiled.size >= 64) this.#compiled.delete(this.#compiled.keys().next().value!);
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /** Why `value` does not satisfy the schema, or null when it does. */
  problem(schema: JsonSchema, value: unknown, where: string): string | null {
    const validate = this.prepare(schema, where);
    if (validate(value)) return null;
    const error = validate.errors?.[0];
    return error ? `${error.instancePath || '(the whole value)'} ${error.message ?? 'is not valid'}` : 'it is not valid';
  }
}
