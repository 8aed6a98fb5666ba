import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LasthopError } from '../src/errors.js';
import { fakeWebSocketClass, hello, startClient } from '../test-support/fakes.js';

async function client(extra = {}) {
  const WebSocket = fakeWebSocketClass();
  const started = await startClient({ WebSocket, transports: ['websocket'], backoffBaseMs: 1000, ...extra });
  const latest = () => WebSocket.instances.at(-1);
  const sent = (t, ws = latest()) => ws.sent.filter((f) => f.t === t);
  return { ...started, WebSocket, latest, sent };
}

test('send: a frame with its own ref, settled by the ok or error with that ref', async () => {
  const { client: c, latest, sent } = await client();
  latest().receive(hello());
  const a = c.send('orders.created', { n: 1 }, { id: 'msg-1' });
  const b = c.send('orders.created', { n: 2 });
  const [fa, fb] = sent('send');
  assert.deepEqual(fa, { t: 'send', key: 'orders.created', id: 'msg-1', body: { n: 1 }, ref: fa.ref });
  assert.notEqual(fa.ref, fb.ref);
  assert.match(fb.id, /^[0-9a-f-]{36}$/, 'a generated message id');
  latest().receive({ t: 'error', ref: fb.ref, code: 'forbidden', message: 'not allowed' });
  latest().receive({ t: 'ok', ref: fa.ref });
  assert.equal(await a, undefined);
  await assert.rejects(b, (e) => e instanceof LasthopError && e.code === 'forbidden');
});

test('send encodes bytes as base64 and text on request', async () => {
  const { client: c, latest, sent } = await client();
  latest().receive(hello());
  c.send('k', new Uint8Array([0, 1, 255])).catch(() => {});
  c.send('k', 'hello', { text: true }).catch(() => {});
  const [bytes, text] = sent('send');
  assert.deepEqual([bytes.enc, bytes.body], ['base64', 'AAH/']);
  assert.deepEqual([text.enc, text.body], ['text', 'hello']);
});

test('errors are mapped: rate_limited, too_large, unroutable', async () => {
  const { client: c, latest, sent } = await client();
  latest().receive(hello());
  const codes = ['rate_limited', 'too_large', 'unroutable'];
  const results = codes.map(() => c.send('k', 1).catch((e) => e.code));
  sent('send').forEach((f, i) => latest().receive({ t: 'error', ref: f.ref, code: codes[i], message: '' }));
  assert.deepEqual(await Promise.all(results), codes);
});

test('a send made while connecting goes out after hello', async () => {
  const { client: c, latest, sent } = await client();
  const p = c.send('k', { early: true });
  assert.deepEqual(latest().sent, []);
  latest().receive(hello());
  const [frame] = sent('send');
  assert.deepEqual(frame.body, { early: true });
  latest().receive({ t: 'ok', ref: frame.ref });
  await p;
});

test('a send unanswered when the connection drops is sent again, same ref and id', async () => {
  const { client: c, clock, latest, sent } = await client();
  latest().receive(hello());
  const p = c.send('k', 1);
  const [first] = sent('send');
  latest().drop(1006);
  await clock.advance(1000);
  latest().receive(hello({ resumed: true }));
  const [again] = sent('send');
  assert.deepEqual(again, first);
  latest().receive({ t: 'ok', ref: again.ref });
  await p;
});

test('subscriptions are kept and renewed after every reconnect, resumed or not', async () => {
  const { client: c, clock, latest, sent } = await client();
  latest().receive(hello());
  const sub = c.subscribe('news.*');
  const [frame] = sent('sub');
  assert.deepEqual(frame, { t: 'sub', topic: 'news.*', ref: frame.ref });
  latest().receive({ t: 'ok', ref: frame.ref });
  await sub;
  for (const resumed of [false, true]) {
    latest().drop(1006);
    await clock.advance(30000);
    latest().receive(hello({ resumed }));
    assert.deepEqual(sent('sub').map((f) => f.topic), ['news.*'], `resumed:${resumed}`);
    latest().receive({ t: 'ok', ref: sent('sub')[0].ref });
  }
});

test('a subscription refused by the edge is forgotten; unsubscribe forgets too', async () => {
  const { client: c, clock, latest, sent } = await client();
  latest().receive(hello());
  const refused = c.subscribe('secret.#');
  const kept = c.subscribe('a');
  const dropped = c.subscribe('b');
  const [f1, f2, f3] = sent('sub');
  latest().receive({ t: 'error', ref: f1.ref, code: 'forbidden', message: 'no' });
  latest().receive({ t: 'ok', ref: f2.ref });
  latest().receive({ t: 'ok', ref: f3.ref });
  await assert.rejects(refused, (e) => e.code === 'forbidden');
  await kept;
  await dropped;
  const unsub = c.unsubscribe('b');
  const [u] = sent('unsub');
  assert.equal(u.topic, 'b');
  latest().receive({ t: 'ok', ref: u.ref });
  await unsub;
  latest().drop(1006);
  await clock.advance(1000);
  latest().receive(hello());
  assert.deepEqual(sent('sub').map((f) => f.topic), ['a']);
});

test('renewed subscriptions go before the requests that waited, which keep their order', async () => {
  const { client: c, clock, latest } = await client();
  latest().receive(hello());
  c.subscribe('t').catch(() => {});
  latest().receive({ t: 'ok', ref: latest().sent[0].ref });
  latest().drop(1006);
  c.send('k', 1).catch(() => {});
  c.unsubscribe('x').catch(() => {});
  await clock.advance(1000);
  latest().receive(hello());
  assert.deepEqual(latest().sent.map((f) => f.t), ['sub', 'send', 'unsub']);
});

test('an error frame without ref is emitted as an error event', async () => {
  const { events, latest } = await client();
  latest().receive(hello());
  latest().receive({ t: 'error', code: 'unknown_delivery', message: 'no delivery 9' });
  assert.deepEqual(events.error.map((e) => [e.code, e.serverCode]), [['protocol', 'unknown_delivery']]);
});

test('requests time out; close() rejects what is pending; later calls reject at once', async () => {
  const { client: c, clock, latest } = await client({ requestTimeoutMs: 5000 });
  latest().receive(hello());
  const slow = c.send('k', 1).catch((e) => e.code);
  await clock.advance(5000);
  assert.equal(await slow, 'timeout');
  const pending = c.subscribe('t').catch((e) => e.code);
  c.close();
  assert.equal(await pending, 'closed');
  assert.equal(await c.send('k', 1).catch((e) => e.code), 'closed');
  await assert.rejects(c.send('', 1), TypeError);
});

test('a renewed subscription refused as rate_limited is retried on the same connection', async () => {
  const { client: c, clock, latest, sent } = await client();
  latest().receive(hello());
  c.subscribe('t').catch(() => {});
  latest().receive({ t: 'ok', ref: sent('sub')[0].ref });
  latest().drop(1006);
  await clock.advance(1000);
  latest().receive(hello({ resumed: true }));
  const [renewed] = sent('sub');
  latest().receive({ t: 'error', ref: renewed.ref, code: 'rate_limited', message: 'slow down' });
  await clock.advance(1499); // retry after 1000 + random(0.5) * 1000 ms
  assert.equal(sent('sub').length, 1);
  await clock.advance(1);
  assert.equal(sent('sub').length, 2);
  assert.equal(sent('sub')[1].topic, 't');
});

test('a subscription that failed for a passing reason is kept for the next connection', async () => {
  const { client: c, clock, latest, sent } = await client();
  latest().receive(hello());
  const p = c.subscribe('t');
  latest().receive({ t: 'error', ref: sent('sub')[0].ref, code: 'unavailable', message: 're-attaching' });
  await assert.rejects(p, (e) => e.code === 'unavailable');
  latest().drop(1006);
  await clock.advance(1000);
  latest().receive(hello());
  assert.deepEqual(sent('sub').map((f) => f.topic), ['t']);
});
