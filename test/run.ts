// `npm test`: every test file through Node's runner (two at a time), with the temporary folder
// pointed at a fresh one of its own; once all have ended, anything left in it fails the run (each
// test removes what it made: test/support/corpus.ts tempDir). Checking after the runner, not in a
// test, is what works while files run in parallel processes, and a private folder keeps other
// programs' temporary files out of the check. Arguments: test files to run instead of all.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './support/corpus.ts';

const files = process.argv.slice(2);
const scratch = mkdtempSync(join(tmpdir(), 'cairn-test-run-'));
// As /tmp is: tests run servers and commands as other users (Dovecot's, `nobody`).
chmodSync(scratch, 0o1777);
/**
 * Not left by a test: tools' caches, kept between runs by design: Node's compile cache (TypeScript
 * and ESLint turn it on) and jiti's (electron-builder reads its configuration through it).
 */
const TOOL_CACHES = new Set(['node-compile-cache', 'jiti']);
const runner = spawn(process.execPath, ['--test', '--test-concurrency=2', ...(files.length ? files : ['test/**/*.test.ts'])], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: scratch, TMP: scratch, TEMP: scratch },
});
// Ctrl-C reaches the runner too (same process group); this waits for it to end and then checks.
process.on('SIGINT', () => {});
const [code] = (await once(runner, 'exit')) as [number | null];

const left = readdirSync(scratch).filter((name) => !TOOL_CACHES.has(name));
if (left.length) {
  console.error(`\nThe tests left ${left.length} temporary file(s) or folder(s) behind (each test removes what it made):`);
  for (const name of left.sort()) console.error(`  ${name}`);
}
removeTree(scratch);
process.exitCode = code !== 0 ? (code ?? 1) : left.length ? 1 : 0;
