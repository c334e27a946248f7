// Ranks the chunks of pages read for one question the way local results are ranked: BM25 from a
// temporary in-memory FTS5 index with the library's tokenizer and query analysis, and, when an
// embedder is configured, cosine similarity to the question; the two lists fused by the same
// weighted RRF. A chunk must match some keyword or be similar enough in meaning to be kept.
import { approximateTokens, chunkSections } from '../chunk/index.ts';
import type { Embedder } from '../embed/index.ts';
import type { Section } from '../extract/index.ts';
import { analyze, fuse, keywordTerms, orExpression } from '../search/index.ts';
import { ScratchFullText } from '../store/index.ts';

export interface PageText {
  url: string;
  title: string;
  sections: Section[];
}

export interface WebChunk {
  url: string;
  title: string;
  /** The host name, for citations. */
  site: string;
  text: string;
  page: number | null;
  headingPath: string[];
  score: number;
  ranks: { bm25?: number; vector?: number };
}

export interface RankOptions {
  /** Chunks returned at most. */
  limit: number;
  /** Chunks from one page at most, so that one long page does not crowd out the others. */
  perPage: number;
  /** Chunks of one page considered (the first ones, in reading order), bounding the embedding work. */
  maxChunksPerPage: number;
  /** Least cosine similarity for a chunk keyword search did not find. */
  minSimilarity: number;
  embedder?: Embedder | null;
  signal?: AbortSignal;
}

export const defaultRankOptions: RankOptions = { limit: 4, perPage: 2, maxChunksPerPage: 60, minSimilarity: 0.45 };

export async function rankChunks(question: string, pages: PageText[], options: Partial<RankOptions> = {}): Promise<WebChunk[]> {
  const o = { ...defaultRankOptions, ...options };
  const embedder = o.embedder ?? null;
  const countTokens = embedder ? (t: string) => embedder.countTokens(t) : approximateTokens;
  const maxTokens = Math.min(384, embedder?.maxTokens ?? 384);
  const chunks: WebChunk[] = [];
  for (const page of pages) {
    const site = new URL(page.url).hostname;
    const pieces = chunkSections(page.sections, { maxTokens, overlapTokens: 48, minTokens: 24, countTokens }).slice(0, o.maxChunksPerPage);
    for (const piece of pieces) {
      chunks.push({ url: page.url, title: page.title, site, text: piece.text, page: piece.page, headingPath: piece.headingPath, score: 0, ranks: {} });
    }
  }
  if (chunks.length === 0) return [];

  const lists: Record<string, number[]> = {};
  const match = orExpression(keywordTerms(question));
  if (match) {
    const index = new ScratchFullText();
    try {
      chunks.forEach((c, id) => index.add(id, analyze(c.title), analyze(c.text)));
      lists.bm25 = index.rank(match, chunks.length);
    } finally {
      index.close();
    }
  }
  if (embedder) {
    try {
      // The question is a query and the pages' chunks are documents, each with the model's prefix.
      const query = await embedder.embedQuery(question, o.signal);
      const vectors = await embedder.embed(chunks.map((c) => c.text), o.signal);
      const similar = vectors
        .map((v, id) => ({ id, similarity: dot(query, v) }))
        .filter((s) => s.similarity >= o.minSimilarity)
        .sort((a, b) => b.similarity - a.similarity);
      lists.vector = similar.map((s) => s.id);
    } catch {
      // A failing embedder leaves keyword ranking, as local search does.
    }
  }
  const perPage = new Map<string, number>();
  const out: WebChunk[] = [];
  for (const entry of fuse(lists, { bm25: 1, vector: 1 })) {
    const chunk = chunks[entry.id]!;
    const taken = perPage.get(chunk.url) ?? 0;
    if (taken >= o.perPage) continue;
    perPage.set(chunk.url, taken + 1);
    out.push({ ...chunk, score: entry.score, ranks: entry.ranks });
    if (out.length >= o.limit) break;
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length && i < b.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
