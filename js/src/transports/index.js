import { HttpStreamTransport } from './http-stream.js';
import { LongPollingTransport } from './long-polling.js';
import { SseTransport } from './sse.js';
import { WebSocketTransport } from './websocket.js';

/** Every transport by name; see negotiator.js for the order they are tried in. */
export const TRANSPORTS = Object.freeze({
  websocket: WebSocketTransport,
  sse: SseTransport,
  'http-stream': HttpStreamTransport,
  'long-polling': LongPollingTransport,
});
