// One at a time, in order of arrival: a caller waiting its turn may leave when its signal aborts.

export class Turnstile {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Resolves when it is this caller's turn, with the function that ends it (call it exactly once),
   * or with null if `signal` aborted first (the caller then never had a turn and must not release).
   */
  async enter(signal?: AbortSignal): Promise<(() => void) | null> {
    const before = this.#tail;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    this.#tail = before.then(() => done);
    if (!signal) {
      await before;
      return release;
    }
    if (signal.aborted) {
      release();
      return null;
    }
    let onAbort!: () => void;
    const aborted = new Promise<true>((resolve) => {
      onAbort = () => resolve(true);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const left = await Promise.race([before.then(() => false as const), aborted]);
      if (left) {
        // Whoever comes next still waits for `before`: the chain stays in order.
        release();
        return null;
      }
      return release;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
