// Tabs sharing one session (share: true) with fake Web Locks and BroadcastChannel: the election,
// the tab protocol and the ack rule. test-support/tabs.js plays the browser and the edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION, hello, msg } from '../test-support/fakes.js';
import { Browser, sent } from '../test-support/tabs.js';

const acks = (ws) => sent(ws, 'ack').map((f) => f.seq);
const query = (ws) => Object.fromEntries(new URL(ws.url).searchParams);

/** Three tabs of alice, open over one socket. */
async function threeTabs(options = {}) {
  const b = new Browser();
  const A = await b.open('A', options.A);
  const B = await b.open('B', options.B);
  const C = await b.open('C', options.C);
  b.latest().receive(hello());
  await b.settle();
  return { b, A, B, C };
}

test('election: three tabs, one leader, one connection; every tab knows how many share it', async () => {
  const { b, A, B, C } = await threeTabs();
  assert.equal(b.WebSocket.instances.length, 1);
  assert.deepEqual([A.client.role, B.client.role, C.client.role], ['leader', 'follower', 'follower']);
  for (const tab of [A, B, C]) {
    assert.equal(tab.client.tabs, 3, tab.name);
    assert.equal(tab.client.state, 'open', tab.name);
    assert.equal(tab.client.session, SESSION, tab.name);
    assert.equal(tab.client.transport, 'websocket', tab.name);
    assert.deepEqual(tab.share.at(-1), { role: tab.name === 'A' ? 'leader' : 'follower', tabs: 3 });
  }
});

test('each tab sees each message once, in order; the ack waits for the slowest tab', async () => {
  const release = [];
  const { b, A, B, C } = await threeTabs({ C: { handler: () => new Promise((r) => release.push(r)) } });
  const ws = b.latest();
  for (const seq of [1, 2, 3]) ws.receive(msg(seq));
  await b.settle();
  assert.deepEqual(A.got, ['m1', 'm2', 'm3']);
  assert.deepEqual(B.got, ['m1', 'm2', 'm3']);
  assert.deepEqual(C.got, ['m1'], 'C is still in its handler of m1');
  assert.deepEqual(acks(ws), [], 'nothing acked while a tab has not handled it');
  release.shift()();
  await b.settle();
  assert.deepEqual(acks(ws), [1]);
  release.shift()();
  await b.settle();
  release.shift()();
  await b.settle();
  assert.deepEqual(C.got, ['m1', 'm2', 'm3']);
  assert.deepEqual(acks(ws).at(-1), 3);
});

test('a frozen tab holds the ack back for shareAckTimeoutMs at most, then no longer', async () => {
  const { b, A, C } = await threeTabs({ C: { handler: () => new Promise(() => {}) }, A: { shareAckTimeoutMs: 2000 } });
  const ws = b.latest();
  ws.receive(msg(1));
  await b.settle();
  assert.deepEqual(acks(ws), []);
  await b.settle(1999);
  assert.deepEqual(acks(ws), []);
  await b.settle(2);
  assert.deepEqual(acks(ws), [1]);
  ws.receive(msg(2));
  await b.settle();
  assert.deepEqual(acks(ws), [1, 2], 'left out of the rule: no second wait');
  assert.deepEqual(A.got, ['m1', 'm2']);
  assert.deepEqual(C.got, ['m1']);
});

test('the leader crashes mid-stream: the next tab leads, resumes, and no tab loses or repeats a message', async () => {
  const release = [];
  const { b, A, B, C } = await threeTabs({ C: { handler: () => new Promise((r) => release.push(r)) } });
  const first = b.latest();
  for (const seq of [1, 2, 3]) first.receive(msg(seq));
  await b.settle();
  release.shift()(); // C handled m1
  await b.settle();
  assert.deepEqual(acks(first), [1]);
  await b.crash('A');
  assert.equal(B.client.role, 'leader', 'B queued for the lead first');
  assert.equal(b.WebSocket.instances.length, 2);
  const second = b.latest();
  assert.equal(query(second).session, SESSION, 'the same session: its queue kept what was unacked');
  // The edge takes the session back and delivers what was unacked again, then what is new.
  second.receive(hello({ resumed: true }));
  for (const [seq, id] of [[1, 'm2'], [2, 'm3'], [3, 'm4']]) second.receive(msg(seq, id, { redelivered: true }));
  await b.settle();
  while (release.length) { release.shift()(); await b.settle(); }
  assert.deepEqual(B.got, ['m1', 'm2', 'm3', 'm4']);
  assert.deepEqual(C.got, ['m1', 'm2', 'm3', 'm4']);
  assert.equal(acks(second).at(-1), 3);
  for (const tab of [B, C]) assert.equal(tab.client.tabs, 2, tab.name);
});

test('the new leader resumes the session that the old one held, with its connection and node', async () => {
  const { b } = await threeTabs();
  const first = hello({ connection: 'connAAAAAAA', node: 'edge-aaaa' });
  b.latest().receive(first); // a reconnect of A's: the latest hello is what to release
  await b.settle();
  await b.crash('A');
  const q = query(b.latest());
  assert.deepEqual([q.session, q.connection, q.node], [SESSION, 'connAAAAAAA', 'edge-aaaa']);
});

test('topics are per tab: the session holds the union, each tab sees only its own', async () => {
  const { b, A, B, C } = await threeTabs();
  const ws = b.latest();
  const subscribed = B.client.subscribe('prices.#');
  await b.settle();
  const subs = sent(ws, 'sub');
  assert.deepEqual(subs.map((f) => f.topic), ['prices.#']);
  ws.receive({ t: 'ok', ref: subs[0].ref });
  await subscribed;
  ws.receive(msg(1, 'tick-1', { exchange: 'lasthop.topic', key: 'prices.AAPL' }));
  ws.receive(msg(2, 'user-1'));
  await b.settle();
  assert.deepEqual(B.got, ['tick-1', 'user-1']);
  assert.deepEqual(A.got, ['user-1']);
  assert.deepEqual(C.got, ['user-1']);
  assert.deepEqual(acks(ws).at(-1), 2, 'the others skipping it counts as handled');

  // A second tab on the same topic: no second sub; the first to leave it: no unsub.
  await C.client.subscribe('prices.#');
  await C.client.unsubscribe('prices.#');
  await b.settle();
  assert.equal(sent(ws, 'sub').length, 1);
  assert.equal(sent(ws, 'unsub').length, 0);
  // The last tab holding it closes: the session lets it go.
  B.client.close();
  await b.settle();
  assert.deepEqual(sent(ws, 'unsub').map((f) => f.topic), ['prices.#']);
});

test('a send from a follower settles with the edge answer, ok or error', async () => {
  const { b, B } = await threeTabs();
  const ws = b.latest();
  const ok = B.client.send('chat.lobby', { text: 'hi' }, { id: 'c-1' });
  const refused = B.client.send('admin.x', {});
  refused.catch(() => {});
  await b.settle();
  const sends = sent(ws, 'send');
  assert.deepEqual(sends.map((f) => [f.key, f.id ?? null]), [['chat.lobby', 'c-1'], ['admin.x', sends[1].id]]);
  ws.receive({ t: 'error', ref: sends[1].ref, code: 'forbidden', message: 'not allowed' });
  ws.receive({ t: 'ok', ref: sends[0].ref });
  await ok;
  await assert.rejects(refused, (e) => e.code === 'forbidden' && e.serverCode === 'forbidden');
});

test('a reply from a follower goes through the leader', async () => {
  const { b, B } = await threeTabs({ B: { handler: (m) => { B.replied = m.reply({ seen: true }); } } });
  const ws = b.latest();
  ws.receive(msg(1, 'rpc-1', { replyToken: 'tok' }));
  await b.settle();
  const [reply] = sent(ws, 'reply');
  assert.deepEqual([reply.token, reply.body], ['tok', { seen: true }]);
  ws.receive({ t: 'ok', ref: reply.ref });
  await B.replied;
});

test('a request left unanswered when the leader dies is sent again to the next leader, with the same id', async () => {
  const { b, C } = await threeTabs();
  const first = b.latest();
  const done = C.client.send('chat.lobby', { text: 'once' }, { id: 'keep-me' });
  await b.settle();
  assert.equal(sent(first, 'send').length, 1);
  await b.crash('A');
  const second = b.latest();
  second.receive(hello({ resumed: true }));
  await b.settle();
  const [again] = sent(second, 'send');
  assert.equal(again.id, 'keep-me');
  second.receive({ t: 'ok', ref: again.ref });
  await done;
});

test('tabs of different users never share', async () => {
  const b = new Browser();
  const alice = await b.open('A');
  const bob = await b.open('B', { user: 'bob' });
  const alice2 = await b.open('C');
  assert.equal(b.WebSocket.instances.length, 2);
  assert.deepEqual([alice.client.role, bob.client.role, alice2.client.role], ['leader', 'leader', 'follower']);
  assert.equal(new URL(b.WebSocket.instances[1].url).searchParams.get('token').split('.')[1],
    Buffer.from(JSON.stringify({ sub: 'bob', exp: b.clock.now() / 1000 + 3600, n: 1 })).toString('base64url'));
});

test('a tab whose token turns to another user (logout, login) leaves for that user\'s group', async () => {
  const { b, A, B } = await threeTabs({ B: { ttl: 60 } });
  B.user = 'bob';
  await b.settle(30000); // B's scheduled refresh returns bob's token
  assert.equal(B.client.role, 'leader');
  assert.equal(b.WebSocket.instances.length, 2, "bob's own connection");
  assert.equal(A.client.tabs, 2, 'alice is down to two tabs');
});

test("after a change of user, the previous user's queued messages and pending requests are dropped", async () => {
  const { b, B } = await threeTabs({ B: { ttl: 60, handler: () => new Promise((r) => B.release.push(r)) } });
  B.release = [];
  const ws = b.latest();
  ws.receive(msg(1, 'alice-1'));
  ws.receive(msg(2, 'alice-2'));
  const pending = B.client.send('chat.lobby', { text: 'as alice' });
  let outcome = null;
  pending.then(() => (outcome = 'ok'), (e) => (outcome = e.code));
  await b.settle();
  assert.deepEqual(B.got, ['alice-1'], 'in its handler of the first');
  B.user = 'bob';
  await b.settle(30000);
  B.release.shift()();
  await b.settle();
  assert.deepEqual(B.got, ['alice-1'], "alice's second message is not shown to bob's app");
  assert.equal(outcome, 'auth');
  const bobs = b.latest();
  bobs.receive(hello({ user: 'bob' }));
  await b.settle();
  assert.equal(sent(bobs, 'send').length, 0, "alice's send does not go as bob");
});

test('the leader refreshes the token in-band with its own token function; followers call theirs', async () => {
  const { b, A, B } = await threeTabs({ A: { ttl: 60 } });
  await b.settle(30000);
  assert.deepEqual(A.tokenCalls, ['initial', 'expiring']);
  assert.deepEqual(sent(b.latest(), 'auth').length, 1);
  assert.deepEqual(B.tokenCalls, ['initial']);
});

test('the leader closes: the next tab takes over and resumes, and the closing tab acked what all had handled', async () => {
  const { b, A, B } = await threeTabs();
  const first = b.latest();
  first.receive(msg(1));
  await b.settle();
  A.client.close();
  await b.settle();
  assert.deepEqual(first.closed, { code: 1000 });
  assert.deepEqual(acks(first), [1]);
  assert.equal(B.client.role, 'leader');
  assert.equal(query(b.latest()).session, SESSION);
  b.latest().receive(hello({ resumed: true }));
  await b.settle();
  assert.equal(B.client.tabs, 2);
  assert.equal(B.client.state, 'open');
});

test('revoked at the leader closes every tab, and none takes the lead to connect again', async () => {
  const { b, A, B, C } = await threeTabs();
  b.latest().receive({ t: 'close', code: 4501, reason: 'revoked', message: 'cut off' });
  await b.settle(5000);
  for (const tab of [A, B, C]) {
    assert.equal(tab.client.state, 'closed', tab.name);
    assert.deepEqual(tab.events.error.map((e) => e.code), ['revoked'], tab.name);
  }
  assert.equal(b.WebSocket.instances.length, 1);
});

test('a tab that falls shareBacklog deliveries behind drops new ones and says so, once', async () => {
  const { b, A, C } = await threeTabs({ C: { handler: () => new Promise(() => {}), shareBacklog: 3 }, A: { shareAckTimeoutMs: 100 } });
  const ws = b.latest();
  for (let seq = 1; seq <= 6; seq++) ws.receive(msg(seq));
  await b.settle(500);
  assert.deepEqual(A.got, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  assert.deepEqual(C.events.error.map((e) => e.code), ['lagged']);
  assert.equal(acks(ws).at(-1), 6);
});

test('share: false keeps a connection per tab', async () => {
  const b = new Browser();
  await b.open('A', { share: false });
  await b.open('B', { share: false });
  assert.equal(b.WebSocket.instances.length, 2);
});

test('a send pending at a follower when the leader closes goes to the next leader, not to the app as closed', async () => {
  const { b, A, C } = await threeTabs();
  const done = C.client.send('chat.lobby', { text: 'once' }, { id: 'keep-me-too' });
  let settled = null;
  done.then(() => (settled = 'ok'), (e) => (settled = e.code));
  await b.settle();
  A.client.close();
  await b.settle();
  assert.equal(settled, null, 'still pending');
  const second = b.latest();
  second.receive(hello({ resumed: true }));
  await b.settle();
  const [again] = sent(second, 'send');
  assert.equal(again.id, 'keep-me-too');
  second.receive({ t: 'ok', ref: again.ref });
  await b.settle();
  assert.equal(settled, 'ok');
});

test('a page where Web Locks are refused (a sandboxed frame) connects on its own', async () => {
  const b = new Browser();
  const refusing = { request: () => Promise.reject(new DOMException('denied', 'SecurityError')), query: async () => ({}) };
  const A = await b.open('A', { locks: refusing });
  assert.equal(b.WebSocket.instances.length, 1);
  b.latest().receive(hello());
  await b.settle();
  assert.deepEqual([A.client.state, A.client.role], ['open', 'alone']);
});
