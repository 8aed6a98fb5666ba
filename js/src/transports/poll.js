import { LasthopError, fromHttpResponse } from '../errors.js';
import { FramePoster } from './frame-poster.js';
import { canRequest, httpRequest } from './http.js';
import { Transport } from './transport.js';

/**
 * How long the next poll waits for the app's handlers of the previous answer, so that it can
 * carry their acks. Slower handlers ack by POST later: the edge closes a session that goes
 * `poll.linger` (30 s) without a poll.
 */
const HANDLED_WAIT_MS = 2000;

/**
 * `POST /lasthop/poll` (PROTOCOL.md §4): each request carries the client frames gathered since the
 * last one (the acks of the answer just handled, first of all) and returns a JSON array of server
 * frames, at once if any wait, else after the edge's `poll.timeout` (maybe `[]`). One poll is in
 * flight at a time; the next leaves as soon as the previous answer was handled. A poll that opens
 * the session (the first, or one whose connection is gone) answers `[hello, …]`; any `hello` means
 * a new connection, whose `connection` and `node` later polls name.
 *
 * Frames the client writes while a poll is held (a `send` from the app, a late ack) would
 * otherwise wait up to the poll timeout, so they go by `POST /lasthop/frames` at once instead.
 * There are no pings: each poll is timed on its own, and one unanswered after `pollTimeoutMs`
 * ends the transport.
 */
export class PollTransport extends Transport {
  static transportName = /** @type {const} */ ('poll');
  static timesItself = true;

  /** @param {import('../env.js').Environment} env */
  static available(env) {
    return canRequest(env);
  }

  /** @protected */
  doOpen() {
    /** @type {{frame: Record<string, unknown>, connection: string | null}[]} */
    this.outbox = [];
    this.polling = false;
    this.poster = new FramePoster({
      env: this.env,
      url: () => this.framesUrl(),
      onError: (error) => this.handlers.onError(error),
    });
    this.loop();
  }

  /** @private */
  async loop() {
    let params = this.openParams();
    while (!this.closed) {
      const body = JSON.stringify(this.takeOutbox());
      const url = this.endpoints.url('poll', params);
      const response = await this.poll(url, body);
      if (!response || this.closed) return;
      if (response.status !== 200) {
        this.ended({ error: fromHttpResponse(response.status, response.text, response.header('Retry-After')) });
        return;
      }
      const frames = parseBatch(response.text);
      if (!frames) {
        this.ended({ error: new LasthopError('protocol', 'a poll answer was not a JSON array of frames') });
        return;
      }
      this.activity();
      // Named back in the next poll, so the edge can tell when an answer was lost on the way.
      const answer = response.header('X-Lasthop-Answer');
      const handled = [];
      for (const frame of frames) {
        handled.push(this.receive(frame));
        if (this.closed) return;
      }
      await this.settled(handled);
      if (this.closed) return;
      this.handlers.flush();
      params = { token: this.token(), session: this.session, connection: this.connection, node: this.node };
      if (answer) params.answered = answer;
    }
  }

  /**
   * One poll, timed out after `pollTimeoutMs`.
   * @private
   * @param {string} url
   * @param {string} body
   * @returns {Promise<import('./http.js').HttpResponse | null>} null once the transport ended
   */
  async poll(url, body) {
    const Abort = this.env.AbortController;
    const abort = Abort ? new Abort() : null;
    this.abort = abort;
    let timedOut = false;
    const timer = this.env.timers.setTimeout(() => {
      timedOut = true;
      abort?.abort();
      this.ended({ error: new LasthopError('timeout', `no poll answer within ${this.pollTimeoutMs} ms`) });
    }, this.pollTimeoutMs);
    this.polling = true;
    try {
      return await httpRequest(this.env, { method: 'POST', url, body, signal: abort?.signal });
    } catch (error) {
      if (!timedOut) this.ended({ error: /** @type {LasthopError} */ (error) });
      return null;
    } finally {
      this.polling = false;
      this.env.timers.clearTimeout(timer);
    }
  }

  /**
   * Waits until the frames of an answer were handled, or HANDLED_WAIT_MS.
   * @private
   * @param {Array<Promise<void> | void>} handled
   */
  settled(handled) {
    const pending = handled.filter((p) => p && typeof p.then === 'function');
    if (pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.env.timers.setTimeout(() => resolve(undefined), HANDLED_WAIT_MS);
      Promise.allSettled(pending).then(() => {
        this.env.timers.clearTimeout(timer);
        resolve(undefined);
      });
    });
  }

  /**
   * The frames for the next poll. Acks written for an earlier connection are dropped: `seq`
   * counts per connection, so they would ack the wrong deliveries.
   * @private
   */
  takeOutbox() {
    const entries = /** @type {NonNullable<typeof this.outbox>} */ (this.outbox).splice(0);
    return entries
      .filter(({ frame, connection }) => frame.t !== 'ack' || connection === this.connection)
      .map(({ frame }) => frame);
  }

  /**
   * @protected
   * @param {Record<string, unknown>[]} frames
   */
  write(frames) {
    if (this.polling && this.connection) {
      this.poster?.post(frames);
      return;
    }
    for (const frame of frames) this.outbox?.push({ frame, connection: this.connection });
  }

  /** @protected */
  doClose() {
    this.poster?.close();
    this.abort?.abort();
  }
}

/**
 * @param {string} text
 * @returns {Record<string, any>[] | null}
 */
function parseBatch(text) {
  try {
    const frames = JSON.parse(text);
    if (!Array.isArray(frames)) return null;
    return frames.every((f) => f && typeof f === 'object' && typeof f.t === 'string') ? frames : null;
  } catch {
    return null;
  }
}
