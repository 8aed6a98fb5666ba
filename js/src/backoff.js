/**
 * Full-jitter exponential backoff: the n-th delay (n from 0) is uniform in
 * [0, min(capMs, baseMs * 2^n)). Jitter spreads a crowd of clients that lost the same node;
 * see "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015).
 */
export class Backoff {
  /**
   * @param {{baseMs?: number, capMs?: number, random?: () => number}} [options]
   *   `random` returns a number in [0, 1), like Math.random.
   */
  constructor({ baseMs = 500, capMs = 30000, random = Math.random } = {}) {
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = random;
    this.attempts = 0;
  }

  /** The delay in milliseconds before the next attempt; each call counts one attempt. */
  next() {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return Math.floor(this.random() * ceiling);
  }

  /** Starts over after a success. */
  reset() {
    this.attempts = 0;
  }
}
