// connect([url1, url2, …]): edge nodes without a load balancer, tried in order with backoff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHttp, SESSION, fakeWebSocketClass, hello, startClient } from '../test-support/fakes.js';

const A = 'https://a.example.com';
const B = 'https://b.example.com';
const host = (ws) => new URL(ws.url).host;
const query = (ws) => Object.fromEntries(new URL(ws.url).searchParams);

async function twoNodes(extra = {}) {
  const WebSocket = fakeWebSocketClass();
  const { connect } = await import('../src/index.js');
  const { testEnvironment, record } = await import('../test-support/fakes.js');
  const { clock, options } = testEnvironment({ WebSocket, transports: ['websocket'], backoffBaseMs: 1000, ...extra });
  const client = connect([A, B], options);
  const events = record(client);
  await clock.advance(0);
  return { client, clock, events, options, WebSocket, latest: () => WebSocket.instances.at(-1) };
}

test('the first URL first; when no transport reaches it, the next one after the backoff delay', async () => {
  const { client, clock, events, WebSocket, latest } = await twoNodes();
  assert.equal(host(latest()), 'a.example.com');
  latest().drop(1006);
  await clock.advance(0);
  assert.equal(events.error.at(-1).code, 'network');
  assert.match(events.error.at(-1).message, /a\.example\.com/);
  assert.equal(events.state.at(-1).delayMs, 500);
  await clock.advance(500);
  assert.equal(WebSocket.instances.length, 2);
  assert.equal(host(latest()), 'b.example.com');
  latest().receive(hello());
  assert.equal(client.state, 'open');

  // A plain drop: resume where it worked, with the session.
  latest().drop(1006);
  await clock.advance(500);
  assert.equal(host(latest()), 'b.example.com');
  assert.equal(query(latest()).session, SESSION);
});

test('the list wraps around, and the backoff keeps growing until a hello', async () => {
  const { clock, events, latest } = await twoNodes();
  const hosts = [];
  for (let i = 0; i < 4; i++) {
    hosts.push(host(latest()));
    latest().drop(1006);
    await clock.advance(0);
    await clock.advance(events.state.at(-1).delayMs);
  }
  assert.deepEqual(hosts, ['a.example.com', 'b.example.com', 'a.example.com', 'b.example.com']);
  assert.deepEqual(events.state.filter((s) => s.delayMs !== undefined).map((s) => s.delayMs), [500, 1000, 2000, 4000]);
});

test('4000 going_away moves to the next node, resuming the session there', async () => {
  const { clock, latest } = await twoNodes();
  const first = hello();
  latest().receive(first);
  latest().receive({ t: 'close', code: 4000, reason: 'going_away', message: 'draining', reconnectAfterMs: 300 });
  await clock.advance(300);
  assert.equal(host(latest()), 'b.example.com');
  assert.deepEqual([query(latest()).session, query(latest()).node], [SESSION, first.node], 'the old node is asked to release');
});

test("a node's Retry-After holds back that node only: the next one is tried after the backoff", async () => {
  const http = new FakeHttp();
  const WebSocket = undefined;
  const { clock, events } = await twoNodes({ WebSocket, fetch: http.fetch, transports: ['poll'] });
  const first = await http.next();
  assert.equal(new URL(first.url).host, 'a.example.com');
  first.respond(503, { error: 'overloaded', message: 'full' }, { 'Retry-After': '10' });
  await clock.advance(0);
  assert.equal(events.state.at(-1).delayMs, 500, 'b has no Retry-After');
  await clock.advance(500);
  const second = await http.next();
  assert.equal(new URL(second.url).host, 'b.example.com');
  second.fail();
  await clock.advance(0);
  assert.equal(events.state.at(-1).delayMs, 10000 - 500 + 1000, "back to a: the rest of a's Retry-After, then the backoff");
  await clock.advance(events.state.at(-1).delayMs);
  assert.equal(new URL((await http.next()).url).host, 'a.example.com');
});
