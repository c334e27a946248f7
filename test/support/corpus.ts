// Small generated document folders for pipeline tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

export function tempDir(prefix = 'cairn-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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
