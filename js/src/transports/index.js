import { HttpStreamTransport } from './http-stream.js';
import { LongPollingTransport } from './long-polling.js';
import { SseTransport } from './sse.js';
import { WebSocketTransport } from './websocket.js';

/** Every transport by its `hello.transport` name; negotiator.js has the order they are tried in. */
export const TRANSPORTS = Object.freeze({
  websocket: WebSocketTransport,
  sse: SseTransport,
  stream: HttpStreamTransport,
  poll: LongPollingTransport,
});
