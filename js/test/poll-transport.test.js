import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PollTransport } from '../src/transports/poll.js';
import { FakeHttp, SESSION, flush, harness, hello, msg } from '../test-support/fakes.js';

/** Acks each msg as the client would: when handled, flushed before the next poll. */
function withAcks(h) {
  let highest = 0;
  h.record.onFrame = (frame) => {
    if (frame.t === 'hello') highest = 0;
    if (frame.t === 'msg') highest = frame.seq;
  };
  h.record.onFlush = () => {
    if (highest) h.transport.send([{ t: 'ack', seq: highest }]);
    highest = 0;
  };
  return h;
}

test('the first poll names no connection, sends [] and gets hello at once', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(PollTransport, { fetch: http.fetch }, { token: 'tok' });
  transport.open();
  const first = await http.next();
  assert.equal(first.method, 'POST');
  assert.equal(first.path, '/lasthop/poll');
  assert.deepEqual(first.query, { token: 'tok' });
  assert.equal(first.body, '[]');
  first.respond(200, [hello()]);
  await http.next();
  assert.deepEqual(record.frames.map((f) => f.t), ['hello']);
});

test('a resume names the session on the first poll, and session, connection and node after hello', async () => {
  const http = new FakeHttp();
  const { transport } = harness(PollTransport, { fetch: http.fetch }, { session: SESSION, token: 'tok' });
  transport.open();
  const first = await http.next();
  assert.deepEqual(first.query, { token: 'tok', session: SESSION });
  const h = hello({ resumed: true });
  first.respond(200, [h]);
  const second = await http.next();
  assert.deepEqual(second.query, { token: 'tok', session: SESSION, connection: h.connection, node: h.node });
});

test('each poll carries the ack of the batch just handled, and leaves right after it', async () => {
  const http = new FakeHttp();
  const { transport, record } = withAcks(harness(PollTransport, { fetch: http.fetch }));
  transport.open();
  (await http.next()).respond(200, [hello(), msg(1), msg(2)]);
  const second = await http.next();
  assert.deepEqual(JSON.parse(second.body), [{ t: 'ack', seq: 2 }]);
  second.respond(200, [msg(3), { t: 'ping' }]);
  const third = await http.next();
  assert.deepEqual(JSON.parse(third.body), [{ t: 'ack', seq: 3 }]);
  third.respond(200, []);
  const fourth = await http.next();
  assert.equal(fourth.body, '[]', 'an empty answer leaves nothing to ack');
  assert.equal(record.activity, 3, "one per answer");
});

test('the next poll waits until every frame of the batch was handled', async () => {
  const http = new FakeHttp();
  const h = harness(PollTransport, { fetch: http.fetch });
  let release = () => {};
  h.record.onFrame = (frame) => (frame.t === 'msg' ? new Promise((resolve) => (release = resolve)) : undefined);
  h.transport.open();
  (await http.next()).respond(200, [hello(), msg(1)]);
  await flush();
  await flush();
  assert.equal(http.requests.length, 1, 'no poll while the handler runs');
  release();
  await http.next();
  assert.equal(http.requests.length, 2);
});

test('a new hello in a batch switches the connection that polls and POSTs name', async () => {
  const http = new FakeHttp();
  const { transport } = withAcks(harness(PollTransport, { fetch: http.fetch }));
  transport.open();
  const h1 = hello();
  (await http.next()).respond(200, [h1]);
  const second = await http.next();
  const h2 = hello({ resumed: true });
  second.respond(200, [msg(5)]);
  const third = await http.next();
  assert.deepEqual(JSON.parse(third.body), [{ t: 'ack', seq: 5 }]);
  transport.send([{ t: 'ack', seq: 9 }]); // written while third is pending: goes by POST /frames
  const post = await http.next();
  assert.equal(post.path, '/lasthop/frames');
  assert.equal(post.query.connection, h1.connection);
  post.respond(204);
  third.respond(200, [h2, msg(1)]);
  const fourth = await http.next();
  assert.equal(fourth.query.connection, h2.connection);
  assert.deepEqual(JSON.parse(fourth.body), [{ t: 'ack', seq: 1 }]);
});

test('outbox acks tagged with an older connection are not sent on the new one', async () => {
  const http = new FakeHttp();
  const h = harness(PollTransport, { fetch: http.fetch });
  const { transport } = h;
  h.record.onFrame = (frame) => {
    // the client acks seq 7 of the old connection while handling the batch, before the new hello
    if (frame.t === 'msg' && frame.seq === 7) transport.send([{ t: 'ack', seq: 7 }, { t: 'pong' }]);
  };
  transport.open();
  (await http.next()).respond(200, [hello()]);
  const h2 = hello();
  (await http.next()).respond(200, [msg(7), h2]);
  const next = await http.next();
  assert.equal(next.query.connection, h2.connection);
  assert.deepEqual(JSON.parse(next.body), [{ t: 'pong' }], 'the ack of seq 7 would ack the wrong delivery');
});

test('client frames written while a poll waits go at once by POST /lasthop/frames', async () => {
  const http = new FakeHttp();
  const { transport } = harness(PollTransport, { fetch: http.fetch }, { token: 'tok' });
  transport.open();
  const h = hello();
  (await http.next()).respond(200, [h]);
  const waiting = await http.next();
  transport.send([{ t: 'send', ref: 1, key: 'orders', body: { n: 1 } }]);
  const post = await http.next();
  assert.equal(post.path, '/lasthop/frames');
  assert.deepEqual(post.query, { token: 'tok', session: h.session, connection: h.connection, node: h.node });
  assert.deepEqual(JSON.parse(post.body), [{ t: 'send', ref: 1, key: 'orders', body: { n: 1 } }]);
  assert.equal(waiting.aborted, false, 'the waiting poll is left alone');
});

test('an HTTP error ends the transport; close() aborts the waiting poll quietly', async () => {
  const http = new FakeHttp();
  const a = harness(PollTransport, { fetch: http.fetch });
  a.transport.open();
  (await http.next()).respond(401, { error: 'token_expired', message: 'Expired JWT' });
  await flush();
  assert.equal(a.record.closes[0].error.serverCode, 'token_expired');

  const b = harness(PollTransport, { fetch: http.fetch });
  b.transport.open();
  (await http.next()).respond(200, [hello()]);
  const waiting = await http.next();
  b.transport.close();
  await flush();
  assert.equal(waiting.aborted, true);
  assert.deepEqual(b.record.closes, []);
});

test('an answer that is not a JSON array of frames is a protocol error', async () => {
  const http = new FakeHttp();
  const { transport, record } = harness(PollTransport, { fetch: http.fetch });
  transport.open();
  (await http.next()).respond(200, { t: 'hello' });
  await flush();
  assert.equal(record.closes[0].error.code, 'protocol');
});

test('without fetch, polls go by XMLHttpRequest', async () => {
  const { fakeXhrClass } = await import('../test-support/fakes.js');
  const XMLHttpRequest = fakeXhrClass();
  const { transport, record } = harness(PollTransport, { XMLHttpRequest }, { token: 'tok' });
  transport.open();
  const xhr = XMLHttpRequest.instances[0];
  assert.deepEqual([xhr.method, xhr.url, xhr.body], ['POST', 'https://app.example.com/lasthop/poll?token=tok', '[]']);
  xhr.finish(200, JSON.stringify([hello()]));
  await flush();
  assert.deepEqual(record.frames.map((f) => f.t), ['hello']);
  assert.equal(XMLHttpRequest.instances.length, 2, 'the next poll is under way');
  transport.close();
  assert.equal(XMLHttpRequest.instances[1].aborted, true);
});

test('a poll unanswered within pollTimeoutMs is aborted and ends the transport', async () => {
  const http = new FakeHttp();
  const { transport, record, clock } = harness(PollTransport, { fetch: http.fetch }, { pollTimeoutMs: 30000 });
  transport.open();
  (await http.next()).respond(200, [hello()]);
  const held = await http.next();
  await clock.advance(29999);
  assert.deepEqual(record.closes, []);
  await clock.advance(1);
  assert.equal(held.aborted, true);
  assert.equal(record.closes.length, 1);
  assert.equal(record.closes[0].error.code, 'timeout');
});

test('a resume opens with session, connection and node of the last hello', async () => {
  const http = new FakeHttp();
  const resume = { session: SESSION, connection: 'Yb3kq9TnW0E', node: 'edge-1a2b3c4d' };
  const { transport } = harness(PollTransport, { fetch: http.fetch }, { resume, token: 'tok' });
  transport.open();
  assert.deepEqual((await http.next()).query, { token: 'tok', ...resume });
});

test('each poll names the number of the answer before it, so the edge can tell one was lost', async () => {
  const http = new FakeHttp();
  const { transport } = harness(PollTransport, { fetch: http.fetch }, { token: 'tok' });
  transport.open();
  const first = await http.next();
  assert.equal(first.query.answered, undefined, 'a new connection has no answer yet');
  const h = hello();
  first.respond(200, [h], { 'X-Lasthop-Answer': '1' });
  const second = await http.next();
  assert.equal(second.query.answered, '1');
  second.respond(200, [], { 'X-Lasthop-Answer': '2' });
  const third = await http.next();
  assert.equal(third.query.answered, '2');
});
