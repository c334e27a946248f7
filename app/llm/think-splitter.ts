// Keeps a reasoning model's thinking apart from its answer when it arrives as raw text
// ("<think>…</think>answer"): a chat template node-llama-cpp does not know, or a server that
// passes the tags through. Streaming: a tag split across chunks is held back until it is whole.

const OPEN = '<think>';
const CLOSE = '</think>';

export interface SplitPiece {
  kind: 'text' | 'thought';
  text: string;
}

export class ThinkSplitter {
  #buffer = '';
  #inThought = false;
  #answer = '';
  #thought = '';
  /** Whether any non-blank answer text has been seen (a <think> only opens a thought before that). */
  #answered = false;
  /** Answer text that came before a "</think>" without its "<think>" (see result()). */
  #orphanedBefore: number | null = null;

  /** Splits the next piece of raw output; returns what can be passed on now, in order. */
  push(raw: string): SplitPiece[] {
    this.#buffer += raw;
    const pieces: SplitPiece[] = [];
    for (;;) {
      const tag = this.#inThought ? CLOSE : OPEN;
      const at = this.#buffer.indexOf(tag);
      const orphanAt = this.#inThought ? -1 : this.#buffer.indexOf(CLOSE);
      if (orphanAt >= 0 && (at < 0 || orphanAt < at)) {
        // DeepSeek-R1's template opens the <think> in the prompt, so the output only closes it.
        this.#emit(pieces, this.#buffer.slice(0, orphanAt));
        this.#buffer = this.#buffer.slice(orphanAt + CLOSE.length);
        if (this.#orphanedBefore === null) this.#orphanedBefore = this.#answer.length;
        continue;
      }
      // A "<think>" after some answer is text (e.g. the answer explains the tags): only one
      // before any answer opens a thought.
      const tagCounts = at >= 0 && (this.#inThought || (!this.#answered && this.#buffer.slice(0, at).trim() === ''));
      if (!tagCounts) {
        const keep = this.#inThought
          ? partialTagLength(this.#buffer, CLOSE)
          : Math.max(this.#answered ? 0 : partialTagLength(this.#buffer, OPEN), partialTagLength(this.#buffer, CLOSE));
        this.#emit(pieces, this.#buffer.slice(0, this.#buffer.length - keep));
        this.#buffer = this.#buffer.slice(this.#buffer.length - keep);
        return pieces;
      }
      this.#emit(pieces, this.#buffer.slice(0, at));
      this.#buffer = this.#buffer.slice(at + tag.length);
      this.#inThought = !this.#inThought;
    }
  }

  /** What was held back at the end (an unfinished tag is text after all). */
  flush(): SplitPiece[] {
    const pieces: SplitPiece[] = [];
    this.#emit(pieces, this.#buffer);
    this.#buffer = '';
    return pieces;
  }

  /**
   * The whole answer and thought. Where the output closed a thought it never opened, what was
   * streamed as answer before the "</think>" was in fact thinking: it moves to the thought here.
   */
  result(): { text: string; thought: string } {
    if (this.#orphanedBefore === null) {
      return { text: this.#thought === '' ? this.#answer : this.#answer.replace(/^\s+/, ''), thought: this.#thought };
    }
    return {
      text: this.#answer.slice(this.#orphanedBefore).replace(/^\s+/, ''),
      thought: (this.#answer.slice(0, this.#orphanedBefore) + this.#thought).trim(),
    };
  }

  #emit(pieces: SplitPiece[], text: string): void {
    if (text === '') return;
    const kind = this.#inThought ? 'thought' : 'text';
    if (kind === 'thought') this.#thought += text;
    else {
      // Blank lines between "</think>" and the answer are not part of the answer.
      if (!this.#answered && this.#answer === '' && this.#thought !== '') text = text.replace(/^\s+/, '');
      if (text === '') return;
      this.#answer += text;
      if (text.trim() !== '') this.#answered = true;
    }
    const last = pieces.at(-1);
    if (last && last.kind === kind) last.text += text;
    else pieces.push({ kind, text });
  }
}

/** Length of the longest end of `text` that is the start of `tag` (a tag that may be cut in two). */
function partialTagLength(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}
