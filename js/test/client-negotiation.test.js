import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FakeHttp, MemoryStorage, fakeEventSourceClass, fakeWebSocketClass, hello, startClient,
} from '../test-support/fakes.js';

const ORIGIN_KEY = 'lasthop.transport:https://app.example.com';
const states = (events) => events.state.map((e) => `${e.state}:${e.transport}`);

function allTransports() {
  return { WebSocket: fakeWebSocketClass(), EventSource: fakeEventSourceClass(), http: new FakeHttp() };
}

test('WebSocket first; hello opens the client and is remembered for the origin', async () => {
  const { WebSocket, EventSource, http } = allTransports();
  const localStorage = new MemoryStorage();
  const { client, events } = await startClient({ WebSocket, EventSource, fetch: http.fetch, localStorage });
  assert.equal(WebSocket.instances.length, 1);
  WebSocket.instances[0].receive(hello());
  assert.deepEqual(states(events), ['connecting:websocket', 'open:websocket']);
  assert.equal(client.state, 'open');
  assert.equal(client.transport, 'websocket');
  assert.equal(JSON.parse(/** @type {string} */ (localStorage.getItem(ORIGIN_KEY))).name, 'websocket');
  assert.equal(events.state[1].session, hello().session);
});

test('falls back WebSocket → SSE → HTTP streaming on failures before hello', async () => {
  const { WebSocket, EventSource, http } = allTransports();
  const localStorage = new MemoryStorage();
  const { client, clock, events } = await startClient({ WebSocket, EventSource, fetch: http.fetch, localStorage });
  WebSocket.instances[0].drop(1006);
  await clock.advance(0);
  assert.equal(EventSource.instances.length, 1, 'SSE is tried at once, without backoff');
  EventSource.instances[0].fail();
  const stream = await http.next();
  assert.equal(stream.path, '/lasthop/stream');
  stream.stream().frame(hello());
  await clock.advance(0);
  assert.equal(client.state, 'open');
  assert.deepEqual(states(events), ['connecting:websocket', 'connecting:sse', 'connecting:stream', 'open:stream']);
  assert.equal(JSON.parse(/** @type {string} */ (localStorage.getItem(ORIGIN_KEY))).name, 'stream');
  assert.deepEqual(events.error, [], 'a fallback is not an error');
});

test('a buffered stream (200 but no hello within the timeout) moves on to long-polling', async () => {
  const http = new FakeHttp();
  const { client, clock } = await startClient({ fetch: http.fetch, transports: ['stream', 'poll'], helloTimeoutMs: 5000 });
  const stream = await http.next();
  stream.stream().write(`${' '.repeat(2048)}\n`); // padding arrives, the rest sits in a proxy
  await clock.advance(4999);
  assert.equal(http.requests.length, 1);
  await clock.advance(1);
  assert.equal(stream.aborted, true, 'the buffered stream is given up');
  const poll = await http.next();
  assert.equal(poll.path, '/lasthop/poll');
  poll.respond(200, [hello()]);
  await http.next();
  assert.equal(client.transport, 'poll');
});

test('transports: forces SSE only; nothing else is ever tried', async () => {
  const { WebSocket, EventSource, http } = allTransports();
  const { clock } = await startClient({ WebSocket, EventSource, fetch: http.fetch, transports: ['sse'] });
  assert.equal(WebSocket.instances.length, 0);
  assert.equal(EventSource.instances.length, 1);
  EventSource.instances[0].fail();
  await clock.advance(60000);
  assert.equal(WebSocket.instances.length, 0);
  assert.equal(http.requests.filter((r) => r.path !== '/lasthop/frames').length, 0);
  assert.ok(EventSource.instances.length > 1, 'SSE is retried');
});

test('exclude: skips WebSocket', async () => {
  const { WebSocket, EventSource, http } = allTransports();
  const { client } = await startClient({ WebSocket, EventSource, fetch: http.fetch, exclude: ['websocket'] });
  assert.equal(WebSocket.instances.length, 0);
  EventSource.instances[0].receive(hello());
  assert.equal(client.transport, 'sse');
});

test('the remembered transport is tried first', async () => {
  const { WebSocket, EventSource, http } = allTransports();
  const localStorage = new MemoryStorage({ [ORIGIN_KEY]: JSON.stringify({ name: 'sse', at: 1_767_225_600_000 - 1000 }) });
  await startClient({ WebSocket, EventSource, fetch: http.fetch, localStorage });
  assert.equal(EventSource.instances.length, 1);
  assert.equal(WebSocket.instances.length, 0);
});

test('a 404 from an edge without the endpoint is a transport failure, not an error', async () => {
  const http = new FakeHttp();
  const { client, events } = await startClient({ fetch: http.fetch, transports: ['stream', 'poll'] });
  (await http.next()).respond(404, { error: 'not_found', message: 'no such endpoint' });
  const poll = await http.next();
  assert.equal(poll.path, '/lasthop/poll');
  poll.respond(200, [hello()]);
  await http.next();
  assert.equal(client.transport, 'poll');
  assert.deepEqual(events.error, []);
});

test('when every transport fails, one error and a backoff wait, then a new round', async () => {
  const WebSocket = fakeWebSocketClass();
  const http = new FakeHttp();
  const { clock, events } = await startClient({
    WebSocket, fetch: http.fetch, transports: ['websocket', 'poll'], random: () => 0.5, backoffBaseMs: 1000,
  });
  WebSocket.instances[0].drop(1006);
  (await http.next()).fail();
  await clock.advance(0);
  assert.equal(events.error.length, 1);
  assert.equal(events.error[0].code, 'network');
  const waiting = events.state.at(-1);
  assert.deepEqual([waiting.state, waiting.transport, waiting.delayMs], ['connecting', null, 500]);
  await clock.advance(499);
  assert.equal(WebSocket.instances.length, 1);
  await clock.advance(1);
  assert.equal(WebSocket.instances.length, 2, 'the new round starts with WebSocket again');
});

test('with no usable transport the client closes with no_transport', async () => {
  const { client, events } = await startClient({ transports: ['websocket'] });
  assert.equal(client.state, 'closed');
  assert.equal(events.error[0].code, 'no_transport');
});
