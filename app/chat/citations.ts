// Citations: [n] markers in an answer (also [1, 2], [1][3], [1-2]) mapped back to the numbered
// sources the model was given. Numbers the model invents are removed from the text and never
// stored as citations; the streaming filter does the same on the fly, so what the user watched
// and what is stored are the same text.

/** A citation group: numbers and ranges separated by commas, in square brackets. */
const GROUP = /[ \t]*\[\s*(\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s*[,;]\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)*)\s*\]/g;
/** Longest range expanded; longer ones are mistakes, not citations. */
const MAX_RANGE = 50;

/** The numbers a group's content names, ranges expanded, in order and without repeats. */
function groupNumbers(content: string): number[] {
  const out: number[] = [];
  for (const part of content.split(/[,;]/)) {
    const [a, b] = part.split(/[-–]/).map((x) => Number(x.trim()));
    if (b === undefined) out.push(a!);
    else if (b >= a! && b - a! < MAX_RANGE) for (let i = a!; i <= b; i++) out.push(i);
  }
  return [...new Set(out)];
}

export interface ResolvedCitations {
  /** The text with invented numbers removed (groups rewritten, or dropped when none is left). */
  text: string;
  /** Source numbers cited, in order of first citation. */
  cited: number[];
}

/**
 * Maps every citation in `text` to the given source numbers. A group that names only given
 * numbers is kept as written; one with invented numbers keeps the given ones ([1, 9] → [1]);
 * one with none is removed with the space before it.
 */
export function resolveCitations(text: string, given: Iterable<number>): ResolvedCitations {
  const known = new Set(given);
  const cited: number[] = [];
  const out = text.replace(GROUP, (match, content: string) => {
    const numbers = groupNumbers(content);
    const valid = numbers.filter((n) => known.has(n));
    for (const n of valid) if (!cited.includes(n)) cited.push(n);
    if (valid.length === 0) return '';
    if (valid.length === numbers.length) return match;
    const space = /^[ \t]*/.exec(match)![0];
    return `${space}[${valid.join(', ')}]`;
  });
  return { text: out, cited };
}

/** The numbers cited in `text` (all of them, given or not). */
export function citedNumbers(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(GROUP)) for (const n of groupNumbers(m[1]!)) if (!out.includes(n)) out.push(n);
  return out;
}

/** The text without any citation markers (for earlier answers shown to the model again). */
export function stripCitations(text: string): string {
  return text.replace(GROUP, '');
}

/** The end of a text that may be the start of a citation group (with the spaces before it). */
const MAYBE_GROUP_START = /[ \t]*(?:\[[\d\s,;\-–]*)?$/;
/** Held-back text longer than this is no citation; let it go. */
const MAX_HELD = 80;

/**
 * Removes invented citations from streamed text. Text that could still become a citation (a '['
 * not yet closed, and the spaces before it) is held back until it is decided; the pieces emitted
 * add up to exactly resolveCitations(whole text).text.
 */
export class CitationStreamFilter {
  private readonly given: number[];
  private readonly emit: (text: string) => void;
  private held = '';
  private settled = '';

  constructor(given: Iterable<number>, emit: (text: string) => void) {
    this.given = [...given];
    this.emit = emit;
  }

  push(piece: string): void {
    this.held += piece;
    const start = MAYBE_GROUP_START.exec(this.held)!.index;
    const tail = this.held.length - start;
    const cut = tail > MAX_HELD ? this.held.length : start;
    this.release(this.held.slice(0, cut));
    this.held = this.held.slice(cut);
  }

  /** Emits whatever is held (the stream has ended). */
  flush(): void {
    this.release(this.held);
    this.held = '';
  }

  /** Everything emitted so far. */
  get text(): string {
    return this.settled;
  }

  private release(text: string): void {
    if (!text) return;
    const { text: clean } = resolveCitations(text, this.given);
    this.settled += clean;
    if (clean) this.emit(clean);
  }
}
