import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketTransport } from '../src/transports/websocket.js';
import { SESSION, fakeWebSocketClass, harness, hello } from '../test-support/fakes.js';

test('opens /lasthop/ws with the token and the session to resume', () => {
  const WebSocket = fakeWebSocketClass();
  const { transport } = harness(WebSocketTransport, { WebSocket }, { session: SESSION, token: 'tok' });
  transport.open();
  assert.equal(WebSocket.instances[0].url, `wss://app.example.com/lasthop/ws?token=tok&session=${SESSION}`);
});

test('each text message is one frame; each client frame is one message', () => {
  const WebSocket = fakeWebSocketClass();
  const { transport, record } = harness(WebSocketTransport, { WebSocket });
  transport.open();
  const ws = WebSocket.instances[0];
  ws.receive(hello());
  ws.receive({ t: 'ping' });
  assert.deepEqual(record.frames.map((f) => f.t), ['hello', 'ping']);
  assert.equal(record.activity, 2);
  transport.send([{ t: 'pong' }, { t: 'ack', seq: 3 }]);
  assert.deepEqual(ws.sent, [{ t: 'pong' }, { t: 'ack', seq: 3 }]);
});

test('a close from the server reports its code once; later events are ignored', () => {
  const WebSocket = fakeWebSocketClass();
  const { transport, record } = harness(WebSocketTransport, { WebSocket });
  transport.open();
  const ws = WebSocket.instances[0];
  const onclose = ws.onclose;
  ws.drop(4000, 'going_away');
  onclose({ code: 1006 });
  assert.equal(record.closes.length, 1);
  assert.equal(record.closes[0].code, 4000);
  assert.equal(record.closes[0].error.serverCode, 'going_away');
  assert.equal(transport.send([{ t: 'pong' }]), false, 'nothing is written after the end');
});

test('close() closes the socket with 1000 and reports nothing', () => {
  const WebSocket = fakeWebSocketClass();
  const { transport, record } = harness(WebSocketTransport, { WebSocket });
  transport.open();
  transport.close();
  assert.deepEqual(WebSocket.instances[0].closed, { code: 1000 });
  assert.equal(WebSocket.instances[0].onmessage, null);
  assert.deepEqual(record.closes, []);
});

test('a malformed text frame ends the transport with a protocol error; binary is ignored', () => {
  const WebSocket = fakeWebSocketClass();
  const { transport, record } = harness(WebSocketTransport, { WebSocket });
  transport.open();
  const ws = WebSocket.instances[0];
  ws.onmessage({ data: new ArrayBuffer(4) });
  assert.deepEqual(record.closes, []);
  ws.receive('{"t":');
  assert.equal(record.closes[0].error.code, 'protocol');
  assert.deepEqual(ws.closed, { code: 1000 });
});
