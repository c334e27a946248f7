// Structure-aware chunking: a document's sections (pages, headings) are split into paragraphs,
// paragraphs are packed into chunks up to a token budget, and only text longer than the budget
// is cut by sentences or words, with overlap. Every chunk is an exact slice of the document's
// text, with its offsets, page and heading path kept for citations.
import type { Section } from '../extract/types.ts';

export interface ChunkOptions {
  /** Most tokens in one chunk. */
  maxTokens: number;
  /** Tokens repeated between consecutive pieces of text cut inside a paragraph. */
  overlapTokens: number;
  /** Chunks smaller than this are merged into a neighbour rather than indexed alone. */
  minTokens: number;
  countTokens: (text: string) => number;
}

export interface Chunk {
  text: string;
  /** [start, end) in the document text: the sections joined by SECTION_SEPARATOR. */
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
  tokenCount: number;
  /** Read by OCR (its section's `ocr`). */
  ocr?: boolean;
}

export const SECTION_SEPARATOR = '\n\n';

/**
 * A rough token count for when no model tokenizer is at hand: about four characters per token
 * for Latin text (typical of BPE vocabularies), one per CJK character. Errs high, which keeps
 * chunks inside a model's limit.
 */
export function approximateTokens(text: string): number {
  let cjk = 0;
  for (const _ of text.matchAll(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)) cjk++;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

/** The document text that chunk offsets refer to. */
export function documentText(sections: Section[]): string {
  return sections.map((s) => s.text).join(SECTION_SEPARATOR);
}

interface Span {
  start: number;
  end: number;
}

export function chunkSections(sections: Section[], options: ChunkOptions): Chunk[] {
  const text = documentText(sections);
  const chunks: Chunk[] = [];
  let offset = 0;
  for (const section of sections) {
    const base = offset;
    offset += section.text.length + SECTION_SEPARATOR.length;
    const page = section.page ?? null;
    for (const span of packSection(section.text, options)) {
      const start = base + span.start;
      const end = base + span.end;
      const slice = text.slice(start, end);
      chunks.push({ text: slice, start, end, page, headingPath: section.headingPath, tokenCount: options.countTokens(slice), ...(section.ocr ? { ocr: true } : {}) });
    }
  }
  return mergeTiny(chunks, text, options);
}

/** Paragraph spans of a section, packed greedily into spans within the budget. */
function packSection(text: string, options: ChunkOptions): Span[] {
  const out: Span[] = [];
  let current: Span | null = null;
  let currentTokens = 0;
  for (const para of paragraphs(text)) {
    const tokens = options.countTokens(text.slice(para.start, para.end));
    if (tokens > options.maxTokens) {
      if (current) out.push(current);
      current = null;
      currentTokens = 0;
      out.push(...splitLong(text, para, options));
      continue;
    }
    if (current && currentTokens + tokens + 1 <= options.maxTokens) {
      // Token counts add up closely enough across a paragraph break; the final count is exact.
      current = { start: current.start, end: para.end };
      currentTokens += tokens + 1;
    } else {
      if (current) out.push(current);
      current = { ...para };
      currentTokens = tokens;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Non-blank runs of text separated by blank lines, trimmed. */
function paragraphs(text: string): Span[] {
  const out: Span[] = [];
  for (const match of text.matchAll(/\S(?:[\s\S]*?\S)?(?=\s*(?:\n[ \t]*\n|$))/g)) {
    out.push({ start: match.index, end: match.index + match[0].length });
  }
  return out;
}

/**
 * Cuts a span longer than the budget at sentence ends (or words, or characters, whichever the
 * text allows), packing pieces up to the budget and starting each window `overlapTokens` back.
 */
function splitLong(text: string, span: Span, options: ChunkOptions): Span[] {
  const pieces = units(text, span, options);
  const tokens = pieces.map((p) => options.countTokens(text.slice(p.start, p.end)));
  const out: Span[] = [];
  let i = 0;
  while (i < pieces.length) {
    let j = i;
    let total = tokens[i]!;
    // +1 a join: the space between two pieces may cost a token of its own.
    while (j + 1 < pieces.length && total + tokens[j + 1]! + 1 <= options.maxTokens) total += tokens[++j]! + 1;
    out.push({ start: pieces[i]!.start, end: pieces[j]!.end });
    if (j + 1 >= pieces.length) break;
    // Step back over whole pieces worth about `overlapTokens`, but always move forward.
    let next = j + 1;
    let overlap = 0;
    while (next - 1 > i && overlap + tokens[next - 1]! <= options.overlapTokens) overlap += tokens[--next]!;
    i = next;
  }
  return out;
}

const CUTS = [/[^.!?。！？\n]+(?:[.!?。！？]+|\n|$)\s*/gu, /\S+\s*/gu];

/**
 * The pieces a long span may be cut into: sentences; a sentence still over the budget, words;
 * a word still over it (or unbroken CJK), runs of characters.
 */
function units(text: string, span: Span, options: ChunkOptions, level = 0): Span[] {
  const slice = text.slice(span.start, span.end);
  const cut = CUTS[level];
  if (!cut) {
    // Runs of about half the budget, from this text's own tokens-per-character (byte-level
    // tokenizers spend several tokens on one rare character).
    const perChar = Math.max(1, options.countTokens(slice) / slice.length);
    const step = Math.max(1, Math.floor(options.maxTokens / (2 * perChar)));
    const out: Span[] = [];
    for (let s = 0; s < slice.length; s += step) out.push({ start: span.start + s, end: span.start + Math.min(slice.length, s + step) });
    return out;
  }
  const pieces = [...slice.matchAll(cut)]
    .map((m) => ({ start: span.start + m.index, end: span.start + m.index + m[0].trimEnd().length }))
    .filter((p) => p.end > p.start);
  return pieces.flatMap((p) =>
    pieces.length > 1 && options.countTokens(text.slice(p.start, p.end)) <= options.maxTokens ? [p] : units(text, p, options, level + 1),
  );
}

/**
 * Merges chunks below `minTokens` into the previous chunk on the same page (or the next one),
 * when the result stays within the budget. A document that is tiny as a whole stays one chunk.
 */
function mergeTiny(chunks: Chunk[], text: string, options: ChunkOptions): Chunk[] {
  const out: Chunk[] = [];
  for (const chunk of chunks) {
    const prev = out.at(-1);
    const tiny = chunk.tokenCount < options.minTokens || (prev !== undefined && prev.tokenCount < options.minTokens);
    if (prev && tiny && prev.page === chunk.page) {
      const merged = text.slice(prev.start, chunk.end);
      const tokens = options.countTokens(merged);
      if (tokens <= options.maxTokens) {
        // Keep the heading of the larger part: that is what the merged text is mostly about.
        const headingPath = prev.tokenCount >= chunk.tokenCount ? prev.headingPath : chunk.headingPath;
        out[out.length - 1] = { ...prev, text: merged, end: chunk.end, headingPath, tokenCount: tokens };
        continue;
      }
    }
    out.push(chunk);
  }
  return out;
}
