import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHttp, SESSION, hello, msg, startClient } from '../test-support/fakes.js';

async function pollingClient(extra = {}) {
  const http = new FakeHttp();
  const started = await startClient({ fetch: http.fetch, transports: ['poll'], ...extra });
  return { ...started, http };
}
const body = (request) => JSON.parse(request.body);

test('the poll loop hands messages over and carries their ack in the next poll', async () => {
  const { client, http } = await pollingClient();
  const seen = [];
  client.on('message', (m) => seen.push(m.body));
  const first = await http.next();
  assert.deepEqual(first.query, { token: first.query.token });
  const h = hello();
  first.respond(200, [h, msg(1), msg(2)]);
  const second = await http.next();
  assert.deepEqual(seen, [{ n: 1 }, { n: 2 }]);
  assert.deepEqual(second.query, { token: first.query.token, session: SESSION, connection: h.connection, node: h.node });
  assert.deepEqual(body(second), [{ t: 'ack', seq: 2 }], 'acked at once, not after the ack timer');
  second.respond(200, [msg(3)]);
  const third = await http.next();
  assert.deepEqual(body(third), [{ t: 'ack', seq: 3 }]);
  assert.equal(client.state, 'open');
  assert.equal(client.transport, 'poll');
});

test('an async handler holds the next poll until it is done', async () => {
  const { client, clock, http } = await pollingClient();
  let release = () => {};
  client.on('message', () => new Promise((resolve) => (release = () => resolve(undefined))));
  (await http.next()).respond(200, [hello(), msg(1)]);
  await clock.advance(0);
  assert.equal(http.requests.length, 1);
  release();
  const next = await http.next();
  assert.deepEqual(body(next), [{ t: 'ack', seq: 1 }]);
});

test('a new hello mid-session restarts seq numbering: acks follow the new connection', async () => {
  const { client, http, events } = await pollingClient();
  const seen = [];
  client.on('message', (m) => seen.push(m.id));
  (await http.next()).respond(200, [hello(), msg(1, 'a'), msg(2, 'b')]);
  const second = await http.next();
  assert.deepEqual(body(second), [{ t: 'ack', seq: 2 }]);
  const moved = hello({ resumed: true, node: 'edge-other' });
  // The session moved: b was not acked in time and comes again with seq 1, then c.
  second.respond(200, [moved, msg(1, 'b', { redelivered: true }), msg(2, 'c')]);
  const third = await http.next();
  assert.equal(third.query.connection, moved.connection);
  assert.deepEqual(body(third), [{ t: 'ack', seq: 2 }]);
  assert.deepEqual(seen, ['a', 'b', 'c'], 'b was handed over once');
  assert.equal(events.state.filter((e) => e.state === 'open').length, 2, 'each hello is reported');
});

test('a send while the poll waits goes by POST /lasthop/frames and settles from the poll answer', async () => {
  const { client, http } = await pollingClient();
  (await http.next()).respond(200, [hello()]);
  const waiting = await http.next();
  const sent = client.send('orders', { n: 1 });
  const post = await http.next();
  assert.equal(post.path, '/lasthop/frames');
  const [frame] = body(post);
  assert.equal(frame.t, 'send');
  post.respond(204);
  waiting.respond(200, [{ t: 'ok', ref: frame.ref }]);
  await sent;
});

test('409 stale_connection on a poll: reconnect and resume, naming the last connection and node', async () => {
  const { http, clock } = await pollingClient({ backoffBaseMs: 1000 });
  const h = hello();
  (await http.next()).respond(200, [h]);
  (await http.next()).respond(409, { error: 'stale_connection', message: 'gone' });
  await clock.advance(500);
  const again = await http.next();
  assert.deepEqual([again.query.session, again.query.connection, again.query.node], [SESSION, h.connection, h.node]);
});

test('a close frame in a poll answer is honoured like on any transport', async () => {
  const { client, clock, http, events } = await pollingClient();
  (await http.next()).respond(200, [hello()]);
  (await http.next()).respond(200, [{ t: 'close', code: 4500, reason: 'session_taken_over', message: 'x' }]);
  await clock.advance(60000);
  assert.equal(client.state, 'closed');
  assert.equal(http.requests.length, 2, 'no poll after the close');
  assert.equal(events.error[0].code, 'session_taken_over');
});

test('a poll unanswered after pollTimeoutMs is abandoned and the session resumed', async () => {
  const { clock, http } = await pollingClient({ backoffBaseMs: 1000, pollTimeoutMs: 30000 });
  (await http.next()).respond(200, [hello({ heartbeatMs: 1000 })]);
  const stuck = await http.next();
  await clock.advance(29999);
  assert.equal(stuck.aborted, false, 'no heartbeat rule: the edge sends no pings to polls');
  await clock.advance(1);
  assert.equal(stuck.aborted, true);
  await clock.advance(500);
  const again = await http.next();
  assert.equal(again.query.session, SESSION);
});

test('slow handlers do not hold the next poll past 2 s; their ack goes by POST', async () => {
  const { client, clock, http } = await pollingClient();
  let release = () => {};
  client.on('message', () => new Promise((resolve) => (release = () => resolve(undefined))));
  (await http.next()).respond(200, [hello(), msg(1)]);
  await clock.advance(1999);
  assert.equal(http.requests.length, 1);
  await clock.advance(1);
  const next = await http.next();
  assert.equal(next.path, '/lasthop/poll');
  assert.equal(next.body, '[]');
  release();
  await clock.advance(100);
  const post = await http.next();
  assert.equal(post.path, '/lasthop/frames');
  assert.deepEqual(body(post), [{ t: 'ack', seq: 1 }]);
});
