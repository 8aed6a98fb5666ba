import { LasthopError } from './errors.js';

/**
 * Why the token function is called: the first connection, the current token nears its `exp`,
 * or the edge refused it (401 / close 4100), so a cached token must not be returned again.
 * @typedef {'initial' | 'expiring' | 'refused'} TokenReason
 * @typedef {string | ((context: {reason: TokenReason}) => string | Promise<string>)} TokenOption
 */

/** setTimeout cannot wait longer than 2^31 - 1 ms; a later refresh just comes early. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads a JWT's `exp` without verifying anything: the edge verifies, the client only needs to
 * know when to ask for a fresh token.
 * @param {string} token
 * @returns {number | null} `exp` in epoch milliseconds, or null when absent or unreadable
 */
export function jwtExpiryMs(token) {
  try {
    const part = token.split('.')[1];
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const exp = JSON.parse(json).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Holds the current token and gets fresh ones from the app. A string token is used as is; a
 * function is called again before the token expires. The refresh is due `marginMs` before `exp`,
 * but never sooner than half the remaining lifetime, so short-lived tokens are not refreshed in
 * a tight loop.
 */
export class TokenSource {
  /**
   * @param {object} options
   * @param {TokenOption} options.token
   * @param {import('./env.js').Timers} options.timers
   * @param {() => number} options.now
   * @param {number} [options.marginMs]
   * @param {number} [options.retryMs] wait after a failed scheduled refresh
   * @param {(token: string) => void} [options.onRefreshed] a scheduled refresh got a new token
   * @param {(error: LasthopError) => void} [options.onError] a scheduled refresh failed
   */
  constructor({ token, timers, now, marginMs = 30000, retryMs = 5000, onRefreshed, onError }) {
    if (typeof token !== 'string' && typeof token !== 'function') {
      throw new TypeError('token must be a string or a function returning one');
    }
    this.provider = token;
    this.timers = timers;
    this.now = now;
    this.marginMs = marginMs;
    this.retryMs = retryMs;
    this.onRefreshed = onRefreshed || (() => {});
    this.onError = onError || (() => {});
    /** @type {string | null} */
    this.token = typeof token === 'string' ? token : null;
    /** Epoch ms at which the current token is due for a refresh; Infinity when never. */
    this.refreshAt = Infinity;
    /** @type {Promise<string> | null} */
    this.inflight = null;
    /** @type {unknown} */
    this.timer = null;
    this.stopped = false;
  }

  /** Whether a fresh token can be had at all. */
  get refreshable() {
    return typeof this.provider === 'function';
  }

  /** The last token obtained, for URLs built synchronously (POSTs). */
  current() {
    return this.token;
  }

  /**
   * A token good for a new connection: the current one, unless it is due for a refresh.
   * @returns {Promise<string>}
   */
  async get() {
    if (this.token !== null && (!this.refreshable || this.now() < this.refreshAt)) return this.token;
    return this.refresh(this.token === null ? 'initial' : 'expiring');
  }

  /**
   * Calls the app's function; concurrent calls share one request.
   * @param {TokenReason} reason
   * @returns {Promise<string>}
   */
  refresh(reason) {
    const provider = this.provider;
    if (typeof provider !== 'function') return Promise.resolve(/** @type {string} */ (this.token));
    if (!this.inflight) {
      const inflight = (async () => {
        try {
          const token = await provider({ reason });
          if (typeof token !== 'string' || token === '') {
            throw new TypeError('the token function must return a non-empty string');
          }
          this.accept(token);
          return token;
        } catch (cause) {
          throw cause instanceof LasthopError
            ? cause
            : new LasthopError('auth', `could not get a token: ${errorMessage(cause)}`, { cause });
        }
      })();
      // Cleared once settled, never synchronously: a provider that throws at once must not
      // leave a settled promise behind as "in flight".
      this.inflight = inflight;
      inflight.then(
        () => this.inflight === inflight && (this.inflight = null),
        () => this.inflight === inflight && (this.inflight = null),
      );
    }
    return this.inflight;
  }

  /** Stops the refresh timer for good. */
  stop() {
    this.stopped = true;
    this.cancel();
  }

  /**
   * @private
   * @param {string} token
   */
  accept(token) {
    this.token = token;
    const expiry = jwtExpiryMs(token);
    const now = this.now();
    if (expiry === null) {
      this.refreshAt = Infinity;
      this.cancel();
      return;
    }
    const remaining = expiry - now;
    this.refreshAt = now + Math.max(remaining - this.marginMs, remaining / 2);
    this.schedule(this.refreshAt - now);
  }

  /**
   * @private
   * @param {number} delayMs
   */
  schedule(delayMs) {
    this.cancel();
    if (this.stopped || !this.refreshable) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.refresh('expiring').then(
        (token) => this.onRefreshed(token),
        (error) => {
          this.onError(error);
          this.schedule(this.retryMs);
        },
      );
    }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  }

  /** @private */
  cancel() {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

/** @param {unknown} error */
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}
