import { LasthopError, fromHttpResponse } from '../errors.js';
import { FramePoster } from './frame-poster.js';
import { canRequest, httpRequest } from './http.js';
import { Transport } from './transport.js';

/**
 * `POST /lasthop/poll`: each request carries the client frames gathered since the last one (the
 * acks of the batch just handled first of all) and returns a JSON array of server frames, at once
 * if any are ready, else after the edge's poll timeout (maybe `[]`). The next poll leaves as soon
 * as the previous batch was handled. The first poll names no connection and answers `[hello, …]`
 * at once; a later `hello` in any batch means a new connection, whose id later polls name.
 *
 * Frames the client writes while a poll is outstanding (a `send` from the app) would otherwise
 * wait up to the poll timeout, so they go by `POST /lasthop/frames` at once instead.
 */
export class LongPollingTransport extends Transport {
  static transportName = /** @type {const} */ ('long-polling');

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
    const Abort = this.env.AbortController;
    this.abort = Abort ? new Abort() : null;
    this.loop();
  }

  /** @private */
  async loop() {
    while (!this.closed) {
      const body = JSON.stringify(this.takeOutbox());
      const url = this.endpoints.url('poll', {
        token: this.token(),
        session: this.session,
        connection: this.connection,
      });
      let response;
      this.polling = true;
      try {
        response = await httpRequest(this.env, { method: 'POST', url, body, signal: this.abort?.signal });
      } catch (error) {
        this.ended({ error: /** @type {LasthopError} */ (error) });
        return;
      } finally {
        this.polling = false;
      }
      if (this.closed) return;
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
      for (const frame of frames) {
        await this.receive(frame);
        if (this.closed) return;
      }
      this.handlers.flush();
    }
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
