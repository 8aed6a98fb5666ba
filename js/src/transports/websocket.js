import { LasthopError } from '../errors.js';
import { Transport } from './transport.js';

/**
 * `GET /lasthop/ws` (PROTOCOL.md §4): one text message per frame, both ways. The edge sends its
 * `close` frame before the WebSocket close, so the close code normally arrives twice; the client
 * acts on the frame and the transport is closed by then.
 */
export class WebSocketTransport extends Transport {
  static transportName = /** @type {const} */ ('websocket');
  /** The edge closes a WebSocket silent for 3 heartbeats (4002): answer its pings. */
  static answersPings = true;

  /** @param {import('../env.js').Environment} env */
  static available(env) {
    return typeof env.WebSocket === 'function';
  }

  /** @protected */
  doOpen() {
    const WebSocketCtor = /** @type {new (url: string) => import('../env.js').WebSocketLike} */ (this.env.WebSocket);
    const socket = new WebSocketCtor(this.endpoints.webSocket(this.openParams()));
    socket.onmessage = (event) => {
      this.activity();
      // The edge only sends text; a binary message would be a broken proxy.
      if (typeof event.data === 'string') this.receiveText(event.data);
    };
    socket.onclose = (event) => {
      const code = event.code;
      this.ended({
        code,
        error: new LasthopError('network', `WebSocket closed (${code}${event.reason ? ` ${event.reason}` : ''})`, {
          closeCode: code,
          serverCode: event.reason || undefined,
        }),
      });
    };
    socket.onerror = () => {}; // a close event always follows, with the code
    this.socket = socket;
  }

  /**
   * @protected
   * @param {Record<string, unknown>[]} frames
   */
  write(frames) {
    try {
      for (const frame of frames) this.socket?.send(JSON.stringify(frame));
    } catch (cause) {
      this.ended({ error: new LasthopError('network', 'WebSocket send failed', { cause }) });
    }
  }

  /** @protected */
  doClose() {
    const socket = this.socket;
    if (!socket) return;
    socket.onmessage = socket.onclose = null;
    // Not null: closing a socket that is still connecting makes the `ws` package of Node emit
    // `error` ("closed before the connection was established"), and an EventEmitter with no
    // `error` listener throws it, which ends the process. Browsers only log a warning.
    socket.onerror = () => {};
    try {
      socket.close(1000);
    } catch {
      // already closing
    }
  }
}
