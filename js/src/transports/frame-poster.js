import { fromHttpResponse } from '../errors.js';
import { httpRequest } from './http.js';

/** How long a closing stream waits for its last POSTed frames (acks) to reach the edge. */
export const DRAIN_MS = 1000;

/**
 * Sends client frames by `POST /lasthop/frames?token=T&session=S&connection=C&node=N` for
 * transports whose stream only goes down (PROTOCOL.md §2). One POST at a time: frames written meanwhile go
 * together in the next one, so they cannot overtake each other. A 409 `stale_connection` means
 * the stream was replaced; its frames are dropped as the protocol says (the deliveries they
 * acked come again). Answers to the frames arrive on the stream, not in the response.
 */
export class FramePoster {
  /**
   * @param {object} options
   * @param {import('../env.js').Environment} options.env
   * @param {() => string | null} options.url the URL for the current connection, or null before `hello`
   * @param {(error: import('../errors.js').LasthopError) => void} options.onError
   */
  constructor({ env, url, onError }) {
    this.env = env;
    this.url = url;
    this.onError = onError;
    /** @type {Record<string, unknown>[]} */
    this.queue = [];
    this.busy = false;
    this.closed = false;
    /** @type {(() => void) | null} called when a pump ends, while draining */
    this.idle = null;
  }

  /** @param {Record<string, unknown>[]} frames */
  post(frames) {
    if (this.closed) return;
    this.queue.push(...frames);
    if (!this.busy) this.pump();
  }

  close() {
    this.closed = true;
    this.queue = [];
  }

  /**
   * Stops taking frames, lets what is queued or in flight reach the edge, then resolves (after
   * `timeoutMs` at the latest). A transport closing its stream waits for this, so its last acks
   * arrive while the edge still holds the session: after, they would find it gone.
   *
   * @param {number} timeoutMs
   * @returns {Promise<void>}
   */
  drain(timeoutMs) {
    if (this.closed) return Promise.resolve();
    if (!this.busy && this.queue.length > 0) this.pump();
    return new Promise((resolve) => {
      const done = () => { this.close(); resolve(); };
      const timer = this.env.timers.setTimeout(done, timeoutMs);
      const check = () => {
        if (this.closed) return;
        if (!this.busy && this.queue.length === 0) { this.env.timers.clearTimeout(timer); done(); return; }
        this.idle = check;
      };
      check();
    });
  }

  /** @private */
  async pump() {
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const url = this.url();
        if (url === null) break; // no connection id yet: nothing can be applied
        const batch = this.queue.splice(0);
        try {
          const response = await httpRequest(this.env, { method: 'POST', url, body: JSON.stringify(batch) });
          // 204: applied; 202: forwarded to the node that holds the session (PROTOCOL.md §2).
          if (this.closed || (response.status >= 200 && response.status < 300)) continue;
          const error = fromHttpResponse(response.status, response.text, response.header('Retry-After'));
          if (error.serverCode !== 'stale_connection') this.onError(error);
        } catch (error) {
          if (!this.closed) this.onError(/** @type {any} */ (error));
        }
      }
    } finally {
      this.busy = false;
      const idle = this.idle;
      this.idle = null;
      idle?.();
    }
  }
}
