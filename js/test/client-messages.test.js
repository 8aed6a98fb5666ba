import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeWebSocketClass, hello, msg, startClient } from '../test-support/fakes.js';

async function openClient(extra = {}) {
  const WebSocket = fakeWebSocketClass();
  const started = await startClient({ WebSocket, transports: ['websocket'], ackDelayMs: 100, ackBatchSize: 3, ...extra });
  WebSocket.instances[0].receive(hello());
  const latest = () => WebSocket.instances.at(-1);
  const acks = (ws = latest()) => ws.sent.filter((f) => f.t === 'ack').map((f) => f.seq);
  return { ...started, WebSocket, latest, acks };
}

test('a message reaches the handler with its fields decoded', async () => {
  const { client, clock, latest } = await openClient();
  const seen = [];
  client.on('message', (m) => seen.push(m));
  latest().receive(msg(1, 'id-1', { redelivered: true, headers: { room: 'general' }, type: 'chat', timestamp: 1000 }));
  latest().receive(msg(2, 'id-2', { enc: 'base64', body: 'AAEC/w==', contentType: 'application/octet-stream' }));
  latest().receive(msg(3, 'id-3', { enc: 'text', body: 'plain' }));
  await clock.advance(0);
  assert.deepEqual(seen.map((m) => [m.id, m.seq, m.redelivered]), [['id-1', 1, true], ['id-2', 2, false], ['id-3', 3, false]]);
  assert.deepEqual(seen[0].body, { n: 1 });
  assert.deepEqual(seen[0].headers, { room: 'general' });
  assert.deepEqual([seen[0].type, seen[0].timestamp, seen[0].key, seen[0].exchange], ['chat', 1000, 'alice', 'lasthop.user']);
  assert.deepEqual([...seen[1].body], [0, 1, 2, 255]);
  assert.equal(seen[2].body, 'plain');
});

test('acks are batched: one cumulative ack after the delay, or at once when the batch is full', async () => {
  const { client, clock, latest, acks } = await openClient();
  client.on('message', () => {});
  latest().receive(msg(1));
  latest().receive(msg(2));
  await clock.advance(0);
  assert.deepEqual(acks(), [], 'not yet');
  await clock.advance(100);
  assert.deepEqual(acks(), [2]);
  for (const seq of [3, 4, 5]) latest().receive(msg(seq));
  await clock.advance(0);
  assert.deepEqual(acks(), [2, 5], 'three pending: flushed without waiting');
});

test('the ack waits for an async handler, and deliveries are handed over one at a time', async () => {
  const { client, clock, latest, acks } = await openClient();
  const log = [];
  /** @type {Array<() => void>} */
  const release = [];
  client.on('message', (m) => {
    log.push(`start ${m.seq}`);
    return new Promise((resolve) => release.push(() => (log.push(`end ${m.seq}`), resolve(undefined))));
  });
  latest().receive(msg(1));
  latest().receive(msg(2));
  await clock.advance(500);
  assert.deepEqual(log, ['start 1'], 'the second waits for the first');
  assert.deepEqual(acks(), []);
  release.shift()?.();
  await clock.advance(0);
  assert.deepEqual(log, ['start 1', 'end 1', 'start 2']);
  await clock.advance(100);
  assert.deepEqual(acks(), [1]);
  release.shift()?.();
  await clock.advance(100);
  assert.deepEqual(acks(), [1, 2]);
});

test('a redelivery of a handled id is dropped but still acked', async () => {
  const { client, clock, latest, acks } = await openClient();
  const seen = [];
  client.on('message', (m) => seen.push(m.id));
  latest().receive(msg(1, 'A'));
  await clock.advance(0);
  latest().drop(1006); // before the ack went out
  await clock.advance(1000);
  latest().receive(hello({ resumed: true }));
  latest().receive(msg(1, 'A', { redelivered: true })); // requeued, new seq numbering
  latest().receive(msg(2, 'B'));
  await clock.advance(100);
  assert.deepEqual(seen, ['A', 'B']);
  assert.deepEqual(acks(), [2]);
});

test('a handler that throws is reported, and its message is acked anyway', async () => {
  const { client, clock, events, latest, acks } = await openClient();
  client.on('message', (m) => {
    if (m.seq === 1) throw new Error('boom');
    return Promise.reject(new Error('async boom'));
  });
  latest().receive(msg(1));
  latest().receive(msg(2));
  await clock.advance(100);
  assert.deepEqual(events.error.map((e) => [e.code, e.cause.message]), [['handler', 'boom'], ['handler', 'async boom']]);
  assert.deepEqual(acks(), [2]);
});

test('a delivery still in the handler when its connection ends is not acked on the next one', async () => {
  const { client, clock, latest, acks } = await openClient();
  let release = () => {};
  client.on('message', (m) => (m.id === 'slow' ? new Promise((resolve) => (release = () => resolve(undefined))) : undefined));
  latest().receive(msg(4, 'slow'));
  await clock.advance(0);
  latest().drop(1006);
  await clock.advance(1000);
  latest().receive(hello({ resumed: true }));
  release();
  await clock.advance(1000);
  assert.deepEqual(acks(), [], 'seq 4 belonged to the old connection');
  latest().receive(msg(1, 'slow', { redelivered: true }));
  await clock.advance(100);
  assert.deepEqual(acks(), [1], 'the redelivery is recognised and acked');
});

test('message.reply sends a reply frame with the reply token and settles on ok', async () => {
  const { client, clock, latest } = await openClient();
  /** @type {any[]} */
  const replies = [];
  client.on('message', (m) => {
    replies.push(m.reply({ ok: true }));
  });
  latest().receive(msg(1, 'r1', { replyToken: 'rt-123' }));
  await clock.advance(0);
  const frame = latest().sent.find((f) => f.t === 'reply');
  assert.deepEqual(frame, { t: 'reply', token: 'rt-123', body: { ok: true }, ref: frame.ref });
  latest().receive({ t: 'ok', ref: frame.ref });
  assert.equal(await replies[0], undefined);
});

test('message.reply without a reply token rejects with no_reply_token', async () => {
  const { client, clock, latest } = await openClient();
  /** @type {any[]} */
  const replies = [];
  client.on('message', (m) => {
    replies.push(m.reply('x').then(() => null, (e) => e));
  });
  latest().receive(msg(1));
  await clock.advance(0);
  assert.equal((await replies[0])?.code, 'no_reply_token');
  assert.equal(latest().sent.filter((f) => f.t === 'reply').length, 0);
});

test('close() flushes the pending ack before closing', async () => {
  const { client, clock, latest, acks } = await openClient();
  client.on('message', () => {});
  latest().receive(msg(1));
  await clock.advance(0);
  client.close();
  assert.deepEqual(acks(), [1]);
  assert.deepEqual(latest().closed, { code: 1000 });
  assert.equal(client.state, 'closed');
});
