import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choice, dateOption, idOption, nonNegativeInteger, parseCommandLine, portOption, positiveInteger } from '../../app/cli/options.ts';
import { CairnError, DocumentKind } from '../../app/contract/index.ts';

/** Asserts that `fn` throws a usage error with exactly this message. */
function usage(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => error instanceof CairnError && error.code === 'usage' && error.message === message);
}

test('numbers are whole, in range, and said so when not', () => {
  assert.equal(positiveInteger('12', '--k'), 12);
  for (const bad of ['abc', '-3', '0', '1.5', '1e3', '', ' ']) usage(() => positiveInteger(bad, '--k'), `--k must be a positive whole number (got "${bad}").`);
  usage(() => positiveInteger('1001', '--k', 1000), '--k can be at most 1000 (got "1001").');
  assert.equal(nonNegativeInteger('0', '--offset'), 0);
  usage(() => nonNegativeInteger('-1', '--offset'), '--offset must be a whole number from 0 (got "-1").');
  assert.equal(idOption('7', '--source', 'a source'), 7);
  usage(() => idOption('0', '--source', 'a source'), '--source must be a source id, a positive whole number (got "0").');
  assert.equal(portOption('0', true), 0);
  usage(() => portOption('0'), '--port must be a port number from 1 to 65535 (got "0").');
  usage(() => portOption('65536', true), '--port must be a port number from 0 to 65535 (got "65536"); 0 picks a free one.');
});

test('dates and choices are checked as search would read them', () => {
  assert.equal(dateOption('2026-03-01', '--after'), '2026-03-01');
  for (const bad of ['yesterday-ish', '2026-13-45']) usage(() => dateOption(bad, '--before'), `--before must be a date such as 2026-03-01 (got "${bad}").`);
  assert.equal(choice(DocumentKind, 'email', '--kind'), 'email');
  usage(() => choice(DocumentKind, 'pdf', '--kind'), '--kind must be one of file, email, web (got "pdf").');
});

test('parseArgs mistakes are usage errors on one line', () => {
  const options = { k: { type: 'string' }, json: { type: 'boolean' } } as const;
  assert.equal(parseCommandLine({ args: ['--k', '3'], options }).values.k, '3');
  for (const args of [['--k', '-3'], ['--k'], ['--bogus'], ['--json=yes']]) {
    assert.throws(() => parseCommandLine({ args, options }), (error: unknown) => error instanceof CairnError && error.code === 'usage' && !error.message.includes('\n'), args.join(' '));
  }
});
