// Bench folders of generated Markdown notes, and the text the pipeline will see in them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TextSource } from './synthetic.ts';

export function benchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cairn-bench-${prefix}-`));
}

/**
 * Writes `count` notes of `paragraphs` paragraphs of about `paragraphChars` characters each, 100
 * to a sub-folder (as people keep them), and returns the file paths.
 */
export function writeNotes(dir: string, text: TextSource, count: number, paragraphs: () => number, paragraphChars: number): string[] {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `folder${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    const body = Array.from({ length: paragraphs() }, () => text.paragraph(paragraphChars)).join('\n\n');
    const path = join(sub, `note${i}.md`);
    writeFileSync(path, `# ${text.title()}\n\n${body}\n`);
    paths.push(path);
  }
  return paths;
}

/** Writes `count` one-line text notes of about `chars` characters (cut at a word), 100 a sub-folder. */
export function writeOneLiners(dir: string, text: TextSource, count: number, chars: number): void {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `folder${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    const line = text.paragraph(chars).slice(0, chars).replace(/\s+\S*$/, '');
    writeFileSync(join(sub, `note${i}.txt`), `${line}\n`);
  }
}
