// Context packing: the best sources and the latest turns into what the model's context has
// left, counted with the model's own tokenizer. A source that does not fit is trimmed at a word
// boundary when enough room is left for it to be useful, else left out; nothing ever overflows.
import type { SearchHit } from '../contract/index.ts';

export type CountTokens = (text: string) => number;

/** Renders source number n with (possibly trimmed) text, exactly as the prompt will show it. */
export type RenderSource = (n: number, hit: SearchHit, text: string) => string;

export interface PackedSource {
  /** The number the model sees: 1, 2, … in packing order. */
  n: number;
  hit: SearchHit;
  /** The chunk text given to the model: whole, or cut at a word boundary and ending in ' …'. */
  text: string;
  /** Tokens of the rendered source (with the line break that follows it). */
  tokens: number;
  trimmed: boolean;
}

export interface PackOptions {
  /** Least room worth trimming a source into (smaller leftovers are not used). Default 32. */
  minTrimTokens?: number;
}

export const TRIM_MARK = ' …';

/** Tokens a rendered source costs inside the sources block, where a line break follows it. */
export function sourceTokens(rendered: string, countTokens: CountTokens): number {
  return countTokens(`${rendered}\n`);
}

/**
 * Packs hits (best first) into `budget` tokens. Sources are numbered in the order they are packed;
 * a hit that does not fit is trimmed or skipped, and later, smaller hits may still fit.
 */
export function packSources(
  hits: SearchHit[],
  budget: number,
  countTokens: CountTokens,
  render: RenderSource,
  options: PackOptions = {},
): PackedSource[] {
  const minTrim = options.minTrimTokens ?? 32;
  const packed: PackedSource[] = [];
  let left = budget;
  for (const hit of hits) {
    const n = packed.length + 1;
    const whole = sourceTokens(render(n, hit, hit.text), countTokens);
    if (whole <= left) {
      packed.push({ n, hit, text: hit.text, tokens: whole, trimmed: false });
      left -= whole;
      continue;
    }
    if (left < minTrim) continue;
    const trimmed = trimToFit(n, hit, left, countTokens, render);
    if (trimmed) {
      packed.push(trimmed);
      left -= trimmed.tokens;
    }
  }
  return packed;
}

/** The longest word-boundary prefix of the hit's text whose rendered source fits in `room`. */
function trimToFit(n: number, hit: SearchHit, room: number, countTokens: CountTokens, render: RenderSource): PackedSource | null {
  const text = hit.text;
  let cuts = [...text.matchAll(/\s+/g)].map((m) => m.index).filter((i) => i > 0);
  // Text without spaces (Chinese, Japanese): any character boundary will do.
  if (cuts.length < 8) cuts = Array.from({ length: Math.max(0, text.length - 1) }, (_, i) => i + 1);
  const cost = (cut: number) => sourceTokens(render(n, hit, text.slice(0, cut) + TRIM_MARK), countTokens);
  let lo = 0;
  let hi = cuts.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cost(cuts[mid]!) <= room) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (best < 0) return null;
  const cutText = text.slice(0, cuts[best]!) + TRIM_MARK;
  return { n, hit, text: cutText, tokens: cost(cuts[best]!), trimmed: true };
}

/** The newest items (e.g. conversation turns) whose costs add up to at most `budget`, oldest first. */
export function newestWithin<T>(items: T[], budget: number, cost: (item: T) => number): { kept: T[]; tokens: number } {
  const kept: T[] = [];
  let tokens = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const c = cost(items[i]!);
    if (tokens + c > budget) break;
    tokens += c;
    kept.unshift(items[i]!);
  }
  return { kept, tokens };
}
