// Rate and time left from a stream of "done of total" samples: a smoothed rate over the last
// few seconds, so that the figure neither jumps with each file nor lags a change of pace.
export class RateMeter {
  private last: { at: number; done: number } | null = null;
  private rate: number | null = null;
  /** Seconds over which older speed fades (exponential smoothing). */
  private readonly window: number;

  constructor(windowSeconds = 5) {
    this.window = windowSeconds;
  }

  /** Adds a sample; returns the rate (units a second), null until two samples a moment apart. */
  sample(done: number, at = Date.now()): number | null {
    if (this.last && done < this.last.done) {
      // Counting started over (a new run).
      this.last = null;
      this.rate = null;
    }
    if (!this.last) {
      this.last = { at, done };
      return this.rate;
    }
    const seconds = (at - this.last.at) / 1000;
    if (seconds < 0.25) return this.rate;
    const instant = (done - this.last.done) / seconds;
    const weight = 1 - Math.exp(-seconds / this.window);
    this.rate = this.rate === null ? instant : this.rate + weight * (instant - this.rate);
    this.last = { at, done };
    return this.rate;
  }
}

/** Seconds left at `rate`, or null when it cannot be said (no total, no pace yet). */
export function etaSeconds(done: number, total: number | null, rate: number | null): number | null {
  if (total === null || rate === null || rate <= 0 || total <= done) return null;
  return (total - done) / rate;
}
