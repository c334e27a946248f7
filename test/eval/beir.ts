// A BEIR data set on disk (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) read into memory, and
// written out as one Markdown file per corpus entry so that it enters Cairn the way a user's
// notes do: through the folder scan, the extractor pool, the chunker and the pipeline.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Judgements } from './metrics.ts';

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

export interface BeirDataset {
  corpus: BeirDocument[];
  /** Only the queries that have judgements in the split, in file order. */
  queries: BeirQuery[];
  qrels: Map<string, Judgements>;
}

function jsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

/** Reads `qrels/<split>.tsv`: a header line, then `query-id corpus-id score` (tabs, CRLF or LF). */
export function readQrels(path: string): Map<string, Judgements> {
  const qrels = new Map<string, Map<string, number>>();
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).slice(1);
  for (const line of lines) {
    const [queryId, docId, score] = line.split('\t');
    if (!queryId || !docId || score === undefined) continue;
    let judged = qrels.get(queryId);
    if (!judged) qrels.set(queryId, (judged = new Map()));
    judged.set(docId, Number(score));
  }
  return qrels;
}

export function loadBeir(dir: string, split = 'test'): BeirDataset {
  for (const file of ['corpus.jsonl', 'queries.jsonl', `qrels/${split}.tsv`]) {
    if (!existsSync(join(dir, file))) throw new Error(`${join(dir, file)} is missing: is ${dir} a BEIR data set?`);
  }
  const corpus = jsonLines<{ _id: string; title?: string; text?: string }>(join(dir, 'corpus.jsonl')).map((d) => ({
    id: String(d._id),
    title: d.title ?? '',
    text: d.text ?? '',
  }));
  const qrels = readQrels(join(dir, 'qrels', `${split}.tsv`));
  const queries = jsonLines<{ _id: string; text: string }>(join(dir, 'queries.jsonl'))
    .map((q) => ({ id: String(q._id), text: q.text }))
    .filter((q) => qrels.has(q.id));
  return { corpus, queries, qrels };
}

/** A file name for a corpus id: only characters every file system accepts, never hidden. */
function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'doc';
}

/**
 * Writes `# <title>\n\n<text>` per document into `dir` (the Markdown reader takes the H1 as the
 * title). Files whose content is already there are left untouched, so a kept library re-scans
 * them as unchanged. Returns file name → corpus id.
 */
export function writeCorpusAsMarkdown(corpus: BeirDocument[], dir: string): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  const names = new Map<string, string>();
  for (const doc of corpus) {
    let name = `${safeName(doc.id)}.md`;
    for (let n = 2; names.has(name); n++) name = `${safeName(doc.id)}-${n}.md`;
    names.set(name, doc.id);
    const content = doc.title.trim() ? `# ${doc.title.trim()}\n\n${doc.text}\n` : `${doc.text}\n`;
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) writeFileSync(path, content);
  }
  return names;
}
