import { fromHttpResponse } from '../errors.js';
import { httpRequest } from './http.js';

/**
 * Sends client frames by `POST /lasthop/frames?token=T&session=S&connection=C` for transports
 * whose stream only goes down (PROTOCOL.md §2). One POST at a time: frames written meanwhile go
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
          if (this.closed || response.status === 204 || response.status === 200) continue;
          const error = fromHttpResponse(response.status, response.text, response.header('Retry-After'));
          if (error.serverCode !== 'stale_connection') this.onError(error);
        } catch (error) {
          if (!this.closed) this.onError(/** @type {any} */ (error));
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
