import { LasthopError } from '../errors.js';
import { DRAIN_MS, FramePoster } from './frame-poster.js';
import { canRequest } from './http.js';
import { Transport } from './transport.js';

/**
 * `GET /lasthop/sse` (PROTOCOL.md §4), with client frames by POST. EventSource reconnects by
 * itself with its original URL, which would retry an expired token or take back a session after
 * 4500; so any error closes it and the client reconnects on its own terms.
 */
export class SseTransport extends Transport {
  static transportName = /** @type {const} */ ('sse');

  /** @param {import('../env.js').Environment} env */
  static available(env) {
    return typeof env.EventSource === 'function' && canRequest(env);
  }

  /** @protected */
  doOpen() {
    this.poster = new FramePoster({
      env: this.env,
      url: () => this.framesUrl(),
      onError: (error) => this.handlers.onError(error),
    });
    const EventSourceCtor = /** @type {new (url: string) => import('../env.js').EventSourceLike} */ (this.env.EventSource);
    const source = new EventSourceCtor(this.endpoints.url('sse', this.openParams()));
    source.onmessage = (event) => {
      this.activity();
      this.receiveText(event.data);
    };
    source.onerror = () => {
      // At once, before EventSource reconnects by itself; there is no stream left to drain for.
      source.close();
      this.ended({ error: new LasthopError('network', 'the SSE stream failed or ended') });
    };
    this.source = source;
  }

  /**
   * @protected
   * @param {Record<string, unknown>[]} frames
   */
  write(frames) {
    this.poster?.post(frames);
  }

  /** @protected */
  doClose() {
    const source = this.source;
    if (source) {
      source.onmessage = source.onerror = null;
    }
    const closeStream = () => source?.close();
    if (this.poster) {
      this.poster.drain(DRAIN_MS).then(closeStream);
    } else {
      closeStream();
    }
  }
}
