// Stop strings over streamed text: text is passed on as it comes, except an end that may be the
// start of a stop string (held back until the next piece tells), and nothing from a stop string
// on. For backends that may run past a stop (a remote server that ignores it): the client must
// never see it.

export class StopSequences {
  readonly #stops: string[];
  #held = '';
  #stopped = false;

  constructor(stops: readonly string[] = []) {
    this.#stops = stops.filter((s) => s !== '');
  }

  /** Whether a stop string has been seen (then everything after it is dropped). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The next piece of output; returns what can be passed on now. */
  push(text: string): string {
    if (this.#stopped) return '';
    if (this.#stops.length === 0) return text;
    const buffer = this.#held + text;
    let cut = -1;
    for (const stop of this.#stops) {
      const at = buffer.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.#stopped = true;
      this.#held = '';
      return buffer.slice(0, cut);
    }
    const keep = Math.max(...this.#stops.map((stop) => partialLength(buffer, stop)));
    this.#held = buffer.slice(buffer.length - keep);
    return buffer.slice(0, buffer.length - keep);
  }

  /** At the end of the output: what was held back is text after all. */
  flush(): string {
    const rest = this.#stopped ? '' : this.#held;
    this.#held = '';
    return rest;
  }
}

/** Length of the longest end of `text` that is the start of `stop` (a stop string cut in two). */
function partialLength(text: string, stop: string): number {
  for (let n = Math.min(stop.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(stop.slice(0, n))) return n;
  }
  return 0;
}
