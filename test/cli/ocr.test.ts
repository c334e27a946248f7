// `cairn ocr`: the library's OCR setting from the command line, and scans waiting while it is off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { scanPng } from '../fixtures/scan.ts';
import { tempDir } from '../support/corpus.ts';

const main = resolve(import.meta.dirname, '..', '..', 'app', 'cli', 'main.ts');

function cairn(db: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [main, '--db', db, ...args], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('cairn ocr shows the setting, switches OCR off and on, and sets languages', () => {
  const db = join(tempDir(), 'library.db');
  const shown = cairn(db, 'ocr');
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^OCR: {8}on\nLanguages: {2}eng \(English\)\n/);

  const dir = tempDir();
  writeFileSync(join(dir, 'receipt.png'), scanPng({ lines: ['Receipt'] }));
  assert.equal(cairn(db, 'ocr', 'off').code, 0);
  assert.equal(cairn(db, 'add', dir).code, 0);
  const status = cairn(db, 'status');
  assert.match(status.stdout, /^OCR: {8}off; 1 page of 1 document waiting \(`cairn ocr on` to read them\)$/m);
  assert.match(status.stdout, /Image has no text of its own: waiting for OCR, which is off/);

  const languages = cairn(db, 'ocr', 'languages', 'chi_sim,eng');
  assert.equal(languages.code, 0, languages.stderr);
  assert.match(languages.stdout, /Languages: {2}chi_sim \(Chinese \(Simplified\)\), eng \(English\)/);
  const unknown = cairn(db, 'ocr', 'languages', 'fra');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /not available: fra/);
});
