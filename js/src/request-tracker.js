import { LasthopError, fromErrorFrame } from './errors.js';

/**
 * @typedef {object} PendingRequest
 * @property {Record<string, unknown> & {t: string, ref: number}} frame
 * @property {(value: void) => void} resolve
 * @property {(error: LasthopError) => void} reject
 * @property {unknown} timer
 */

/**
 * Correlates requests (`send`, `reply`, `sub`, `unsub`) with the `ok` or `error` frame carrying
 * the same `ref`. A request made while disconnected waits for the next connection; one that got
 * no answer before its connection ended is written again on the next one (sends keep their
 * message `id`, so a repeat can be recognised downstream). Each request fails after `timeoutMs`.
 */
export class RequestTracker {
  /**
   * @param {object} options
   * @param {(frame: Record<string, unknown>) => boolean} options.write writes the frame if a
   *   connection is open; false when it must wait for the next one
   * @param {import('./env.js').Timers} options.timers
   * @param {number} [options.timeoutMs]
   */
  constructor({ write, timers, timeoutMs = 30000 }) {
    this.write = write;
    this.timers = timers;
    this.timeoutMs = timeoutMs;
    this.nextRef = 1;
    /** @type {Map<number, PendingRequest>} in ref order, which is the order to replay them */
    this.pending = new Map();
  }

  /**
   * @param {Record<string, unknown> & {t: string}} fields the frame without `ref`
   * @returns {Promise<void>} settled by the edge's answer
   */
  request(fields) {
    const ref = this.nextRef++;
    const frame = { ...fields, ref };
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.pending.delete(ref);
        reject(new LasthopError('timeout', `no answer to "${frame.t}" within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(ref, { frame, resolve, reject, timer });
      this.write(frame);
    });
  }

  /**
   * Settles the request an `ok` or `error` frame answers.
   * @param {Record<string, any>} frame
   * @returns {boolean} whether a pending request had this `ref`
   */
  answer(frame) {
    const request = typeof frame.ref === 'number' ? this.pending.get(frame.ref) : undefined;
    if (!request) return false;
    this.pending.delete(frame.ref);
    this.timers.clearTimeout(request.timer);
    if (frame.t === 'ok') request.resolve();
    else request.reject(fromErrorFrame(frame));
    return true;
  }

  /**
   * Settles a request by its `ref` with an outcome decided elsewhere (the leader of a shared
   * session passes on the edge's answer, or its own failure).
   * @param {number} ref
   * @param {LasthopError | null} error null for `ok`
   * @returns {boolean} whether a pending request had this `ref`
   */
  settle(ref, error) {
    const request = this.pending.get(ref);
    if (!request) return false;
    this.pending.delete(ref);
    this.timers.clearTimeout(request.timer);
    if (error) request.reject(error);
    else request.resolve();
    return true;
  }

  /**
   * Writes every unanswered request again, in ref order, on a new connection.
   * @param {number} [belowRef] only requests made before this ref (later ones were just written)
   */
  replay(belowRef = Infinity) {
    for (const { frame } of [...this.pending.values()]) {
      if (frame.ref < belowRef) this.write(frame);
    }
  }

  /**
   * @param {(frame: Record<string, unknown>) => boolean} predicate
   */
  some(predicate) {
    for (const { frame } of this.pending.values()) if (predicate(frame)) return true;
    return false;
  }

  /**
   * Rejects everything still pending.
   * @param {LasthopError} error
   */
  failAll(error) {
    for (const request of this.pending.values()) {
      this.timers.clearTimeout(request.timer);
      request.reject(error);
    }
    this.pending.clear();
  }
}
