// Small generated document folders for pipeline tests, and the temporary folders every test makes
// its files in: each is removed when the process that made it exits (npm test checks that nothing
// is left: test/run.ts).
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

const made: string[] = [];

/** A new empty folder under the system's temporary folder, removed with everything in it when this process exits. */
export function tempDir(prefix = 'cairn-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.push(dir) === 1) process.on('exit', removeMade);
  return dir;
}

function removeMade(): void {
  for (const dir of made) {
    try {
      removeTree(dir);
    } catch (error) {
      console.error(`could not remove the test folder ${dir}: ${(error as Error).message}`);
    }
  }
}

/** Removes a folder and everything in it, also what a test made unreadable or read-only (chmod 000). */
export function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    allowAll(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

function allowAll(path: string): void {
  try {
    if (!lstatSync(path).isDirectory()) return;
    chmodSync(path, 0o700);
    for (const name of readdirSync(path)) allowAll(join(path, name));
  } catch {
    // gone meanwhile, or not ours to change: rmSync says what is left
  }
}

/** A paragraph of pseudo-random words, deterministic in `seed`. */
export function paragraph(seed: number, words = 60): string {
  const out: string[] = [];
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < words; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length]!);
  }
  return out.join(' ') + '.';
}

/** Writes `count` Markdown files (each with a unique marker word) into sub-folders of a new dir. */
export function writeCorpus(count: number, dir = tempDir()): string {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `folder${i % 7}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `note${i}.md`), `# Note ${i}\n\nmarker${i} ${paragraph(i)}\n\n${paragraph(i + 1000)}\n`);
  }
  return dir;
}
