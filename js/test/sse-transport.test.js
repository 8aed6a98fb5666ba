import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseTransport } from '../src/transports/sse.js';
import { FakeHttp, SESSION, fakeEventSourceClass, flush, harness, hello } from '../test-support/fakes.js';

function setup(options) {
  const EventSource = fakeEventSourceClass();
  const http = new FakeHttp();
  const h = harness(SseTransport, { EventSource, fetch: http.fetch }, options);
  h.transport.open();
  return { ...h, EventSource, http, source: EventSource.instances[0] };
}

test('opens /lasthop/sse with token and session', () => {
  const { source } = setup({ session: SESSION, token: 'tok' });
  assert.equal(source.url, `https://app.example.com/lasthop/sse?token=tok&session=${SESSION}`);
});

test('client frames go by POST /lasthop/frames with the hello connection and the current token', async () => {
  const { transport, source, http, state } = setup();
  const h = hello();
  source.receive(h);
  state.token = 'refreshed';
  transport.send([{ t: 'ack', seq: 1 }]);
  const post = await http.next();
  assert.equal(post.method, 'POST');
  assert.equal(post.path, '/lasthop/frames');
  assert.deepEqual(post.query, { token: 'refreshed', session: h.session, connection: h.connection, node: h.node });
  assert.deepEqual(JSON.parse(post.body), [{ t: 'ack', seq: 1 }]);
  post.respond(204);
});

test('one POST at a time: frames written meanwhile go together, in order', async () => {
  const { transport, source, http } = setup();
  source.receive(hello());
  transport.send([{ t: 'ack', seq: 1 }]);
  const first = await http.next();
  transport.send([{ t: 'ack', seq: 2 }]);
  transport.send([{ t: 'send', ref: 1, key: 'k', body: 1 }]);
  await flush();
  assert.equal(http.requests.length, 1, 'the second POST waits for the first');
  first.respond(204);
  const second = await http.next();
  assert.deepEqual(JSON.parse(second.body), [{ t: 'ack', seq: 2 }, { t: 'send', ref: 1, key: 'k', body: 1 }]);
});

test('409 stale_connection drops the frames quietly; other refusals are reported', async () => {
  const { transport, source, http, record } = setup();
  source.receive(hello());
  transport.send([{ t: 'ack', seq: 1 }]);
  (await http.next()).respond(409, { error: 'stale_connection', message: 'gone' });
  await flush();
  assert.deepEqual(record.errors, []);
  transport.send([{ t: 'ack', seq: 2 }]);
  (await http.next()).respond(404, { error: 'session_not_found', message: 'not here' });
  await flush();
  assert.equal(record.errors.length, 1);
  assert.equal(record.errors[0].serverCode, 'session_not_found');
  assert.deepEqual(record.closes, [], 'a refused POST does not end the stream');
});

test('an EventSource error closes it, so it cannot reconnect by itself, and ends the transport', () => {
  const { source, record } = setup();
  source.receive(hello());
  source.fail();
  assert.equal(source.closed, true);
  assert.equal(record.closes.length, 1);
  assert.equal(record.closes[0].error.code, 'network');
});

test('SSE does not ask for pong answers', () => {
  assert.equal(SseTransport.answersPings, false);
});

test('202 Accepted (forwarded to the node that holds the session) counts as delivered', async () => {
  const { transport, source, http, record } = setup();
  source.receive(hello());
  transport.send([{ t: 'ack', seq: 1 }]);
  (await http.next()).respond(202);
  transport.send([{ t: 'ack', seq: 2 }]);
  const second = await http.next();
  assert.deepEqual(JSON.parse(second.body), [{ t: 'ack', seq: 2 }]);
  assert.deepEqual(record.errors, []);
});
