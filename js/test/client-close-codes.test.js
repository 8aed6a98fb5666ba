import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FakeHttp, SESSION, SESSION_2, fakeEventSourceClass, fakeWebSocketClass, hello, jwt, startClient,
} from '../test-support/fakes.js';

/** A client open over a fake WebSocket; backoff delays are random 0.5 × ceiling. */
async function openOverWebSocket(extra = {}) {
  const WebSocket = fakeWebSocketClass();
  const started = await startClient({ WebSocket, transports: ['websocket'], backoffBaseMs: 1000, ...extra });
  const first = hello();
  WebSocket.instances[0].receive(first);
  const latest = () => WebSocket.instances.at(-1);
  return { ...started, WebSocket, latest, first };
}
const query = (ws) => Object.fromEntries(new URL(ws.url).searchParams);

test('4000 going_away: reconnect after the backoff delay and resume the session', async () => {
  const { clock, events, WebSocket, latest, first } = await openOverWebSocket();
  latest().receive({ t: 'close', code: 4000, reason: 'going_away', message: 'draining' });
  assert.deepEqual(latest().closed, { code: 1000 }, 'the client closes the socket itself');
  assert.equal(events.state.at(-1).state, 'reconnecting');
  assert.equal(events.state.at(-1).delayMs, 500);
  await clock.advance(499);
  assert.equal(WebSocket.instances.length, 1);
  await clock.advance(1);
  assert.equal(WebSocket.instances.length, 2);
  const { session, connection, node } = query(latest());
  assert.deepEqual([session, connection, node], [SESSION, first.connection, first.node], 'the last hello names what to release');
  latest().receive(hello({ resumed: true }));
  assert.deepEqual([events.state.at(-1).state, events.state.at(-1).resumed], ['open', true]);
  assert.deepEqual(events.error, [], 'a resumable close is routine');
});

test('4001 with reconnectAfterMs waits exactly that long', async () => {
  const { clock, WebSocket, latest } = await openOverWebSocket();
  latest().receive({ t: 'close', code: 4001, reason: 'ack_timeout', message: 'x', reconnectAfterMs: 3000 });
  await clock.advance(2999);
  assert.equal(WebSocket.instances.length, 1);
  await clock.advance(1);
  assert.equal(WebSocket.instances.length, 2);
});

test('4100 token_expired: a fresh token from the function, then reconnect with it', async () => {
  const reasons = [];
  let n = 0;
  const token = ({ reason }) => {
    reasons.push(reason);
    return jwt({ sub: 'alice', n: ++n });
  };
  const { clock, WebSocket, latest } = await openOverWebSocket({ token });
  latest().receive({ t: 'close', code: 4100, reason: 'token_expired', message: 'x' });
  await clock.advance(1000);
  assert.deepEqual(reasons, ['initial', 'refused']);
  assert.equal(WebSocket.instances.length, 2);
  assert.equal(query(latest()).token, jwt({ sub: 'alice', n: 2 }));
  assert.equal(query(latest()).session, SESSION);
});

test('4100 with a fixed string token: stop with an auth error', async () => {
  const { client, clock, events, WebSocket, latest } = await openOverWebSocket();
  latest().receive({ t: 'close', code: 4100, reason: 'token_expired', message: 'x' });
  await clock.advance(60000);
  assert.equal(WebSocket.instances.length, 1);
  assert.equal(client.state, 'closed');
  assert.equal(events.error.length, 1);
  assert.equal(events.error[0].code, 'auth');
  assert.equal(events.error[0].closeCode, 4100);
});

test('4101 session_expired: forget the session id, report it, reconnect for a new one', async () => {
  const { clock, events, options, latest } = await openOverWebSocket();
  const stored = () => JSON.parse(options.sessionStorage.getItem('lasthop.session:https://app.example.com') ?? 'null');
  assert.equal(stored().session, SESSION);
  latest().receive({ t: 'close', code: 4101, reason: 'session_expired', message: 'gone' });
  assert.equal(events.error[0].code, 'session_expired');
  await clock.advance(1000);
  assert.deepEqual([query(latest()).session, query(latest()).connection, query(latest()).node], [undefined, undefined, undefined]);
  latest().receive(hello({ session: SESSION_2 }));
  assert.equal(stored().session, SESSION_2);
});

test('4500 session_taken_over: stop, emit the error, never reconnect', async () => {
  const { client, clock, events, options, WebSocket, latest } = await openOverWebSocket();
  latest().receive({ t: 'close', code: 4500, reason: 'session_taken_over', message: 'another tab' });
  await clock.advance(10 * 60000);
  assert.equal(WebSocket.instances.length, 1);
  assert.equal(client.state, 'closed');
  assert.deepEqual(events.error.map((e) => [e.code, e.closeCode]), [['session_taken_over', 4500]]);
  assert.equal(events.state.at(-1).error?.code, 'session_taken_over');
  assert.equal(options.sessionStorage.getItem('lasthop.session:https://app.example.com'), null);
});

test('a WebSocket close code of 4500 without a close frame is terminal too', async () => {
  const { client, clock, WebSocket, latest } = await openOverWebSocket();
  latest().drop(4500, 'session_taken_over');
  await clock.advance(60000);
  assert.equal(client.state, 'closed');
  assert.equal(WebSocket.instances.length, 1);
});

test('a plain drop resumes with backoff growing until a hello resets it', async () => {
  const { clock, events, WebSocket, latest } = await openOverWebSocket();
  latest().drop(1006);
  latest().drop(1006); // ignored: already handled
  assert.equal(events.state.at(-1).delayMs, 500);
  await clock.advance(500);
  latest().drop(1006);
  await clock.advance(0);
  assert.equal(events.state.at(-1).delayMs, 1000);
  await clock.advance(1000);
  latest().receive(hello({ resumed: true }));
  latest().drop(1006);
  await clock.advance(0);
  assert.equal(events.state.at(-1).delayMs, 500, 'reset by the hello');
  assert.equal(WebSocket.instances.length, 3);
});

test('HTTP 401 token_expired while connecting: refresh, report, retry with the new token', async () => {
  const http = new FakeHttp();
  let n = 0;
  const { client, clock, events } = await startClient({
    fetch: http.fetch, transports: ['poll'], token: () => jwt({ n: ++n }), backoffBaseMs: 1000,
  });
  (await http.next()).respond(401, { error: 'token_expired', message: 'Expired JWT' });
  await clock.advance(0);
  assert.equal(events.error[0].code, 'auth');
  await clock.advance(500);
  const retry = await http.next();
  assert.equal(retry.query.token, jwt({ n: 2 }));
  retry.respond(200, [hello()]);
  await http.next();
  assert.equal(client.state, 'open');
});

test('HTTP 401 with a fixed token stops: retrying cannot help', async () => {
  const http = new FakeHttp();
  const { client, clock, events } = await startClient({ fetch: http.fetch, transports: ['poll'] });
  (await http.next()).respond(401, { error: 'token_invalid', message: 'bad signature' });
  await clock.advance(60000);
  assert.equal(client.state, 'closed');
  assert.equal(http.requests.length, 1);
  assert.deepEqual(events.error.map((e) => [e.code, e.serverCode]), [['auth', 'token_invalid']]);
});

test('503 unavailable waits Retry-After, then the backoff delay, before the next attempt', async () => {
  const http = new FakeHttp();
  const { clock, events } = await startClient({ fetch: http.fetch, transports: ['poll'] });
  (await http.next()).respond(503, { error: 'unavailable', message: 'broker' }, { 'Retry-After': '2' });
  await clock.advance(0);
  assert.equal(events.state.at(-1).delayMs, 2250, '2 s, then the first backoff delay (0.5 × 500 ms)');
  await clock.advance(2249);
  assert.equal(http.requests.length, 1);
  await clock.advance(1);
  await http.next();
  assert.equal(http.requests.length, 2);
});

test('400 bad_session_id drops the stored session id', async () => {
  const http = new FakeHttp();
  const { MemoryStorage } = await import('../test-support/fakes.js');
  const sessionStorage = new MemoryStorage({ 'lasthop.session:https://app.example.com': JSON.stringify({ session: SESSION }) });
  const { clock } = await startClient({ fetch: http.fetch, transports: ['poll'], sessionStorage });
  const first = await http.next();
  assert.equal(first.query.session, SESSION);
  first.respond(400, { error: 'bad_session_id', message: 'malformed' });
  await clock.advance(1000);
  assert.equal((await http.next()).query.session, undefined);
});

test('silence for 3 heartbeats means a dead edge: reconnect; any frame keeps it alive', async () => {
  const WebSocket = fakeWebSocketClass();
  const { clock } = await startClient({ WebSocket, transports: ['websocket'] });
  WebSocket.instances[0].receive(hello({ heartbeatMs: 1000 }));
  await clock.advance(2900);
  WebSocket.instances[0].receive({ t: 'ping' });
  await clock.advance(2999);
  assert.equal(WebSocket.instances[0].closed, null, 'the ping reset the clock');
  await clock.advance(1);
  assert.deepEqual(WebSocket.instances[0].closed, { code: 1000 });
  await clock.advance(1000);
  assert.equal(WebSocket.instances.length, 2);
});

test('ping is answered with pong over WebSocket, not over SSE', async () => {
  const WebSocket = fakeWebSocketClass();
  const ws = await startClient({ WebSocket, transports: ['websocket'] });
  WebSocket.instances[0].receive(hello());
  WebSocket.instances[0].receive({ t: 'ping' });
  assert.deepEqual(WebSocket.instances[0].sent, [{ t: 'pong' }]);

  const EventSource = fakeEventSourceClass();
  const http = new FakeHttp();
  const sse = await startClient({ EventSource, fetch: http.fetch, transports: ['sse'] });
  EventSource.instances[0].receive(hello());
  EventSource.instances[0].receive({ t: 'ping' });
  await sse.clock.advance(1000);
  assert.equal(http.requests.length, 0);
  ws.client.close();
  sse.client.close();
});

test('4102 session_lost: a new session, reported, and a gap event once it opens', async () => {
  const { clock, events, client, latest } = await openOverWebSocket();
  const gaps = [];
  client.on('gap', (g) => gaps.push(g));
  latest().receive({ t: 'close', code: 4102, reason: 'session_lost', message: 'node down' });
  assert.equal(events.error[0].code, 'session_lost');
  await clock.advance(1000);
  assert.equal(query(latest()).session, undefined, 'the lost session is not asked for again');
  latest().receive(hello({ session: SESSION_2 }));
  assert.deepEqual(gaps, [{ session: SESSION_2, previousSession: SESSION, reason: 'session_lost' }]);
});

test('a resume answered with a new session is a gap; a resumed one is not', async () => {
  const { clock, client, latest } = await openOverWebSocket();
  const gaps = [];
  client.on('gap', (g) => gaps.push(g));
  latest().receive({ t: 'close', code: 4000, reason: 'going_away', message: 'x' });
  await clock.advance(1000);
  latest().receive(hello({ resumed: true }));
  assert.deepEqual(gaps, [], 'resumed: nothing missed');
  latest().receive({ t: 'close', code: 4000, reason: 'going_away', message: 'x' });
  await clock.advance(2000);
  assert.equal(query(latest()).session, SESSION);
  latest().receive(hello({ session: SESSION_2, resumed: false }));
  assert.deepEqual(gaps, [{ session: SESSION_2, previousSession: SESSION, reason: 'session_expired' }]);
});
