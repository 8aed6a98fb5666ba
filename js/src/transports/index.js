import { PollTransport } from './poll.js';
import { SseTransport } from './sse.js';
import { StreamTransport } from './stream.js';
import { WebSocketTransport } from './websocket.js';

/** Every transport by its `hello.transport` name; negotiator.js has the order they are tried in. */
export const TRANSPORTS = Object.freeze({
  websocket: WebSocketTransport,
  sse: SseTransport,
  stream: StreamTransport,
  poll: PollTransport,
});
