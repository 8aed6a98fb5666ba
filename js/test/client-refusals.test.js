// The edge's hardening codes (issue 11): 4003 slow_consumer, 4501 revoked, 401 token_revoked,
// 429 rate_limited / too_many_sessions and 503 overloaded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHttp, MemoryStorage, SESSION, fakeWebSocketClass, hello, jwt, startClient } from '../test-support/fakes.js';

const SESSION_KEY = 'lasthop.session:https://app.example.com';
const ORIGIN_KEY = 'lasthop.transport:https://app.example.com';
const query = (ws) => Object.fromEntries(new URL(ws.url).searchParams);

async function openOverWebSocket(extra = {}) {
  const WebSocket = fakeWebSocketClass();
  const started = await startClient({ WebSocket, transports: ['websocket'], backoffBaseMs: 1000, ...extra });
  WebSocket.instances[0].receive(hello());
  return { ...started, WebSocket, latest: () => WebSocket.instances.at(-1) };
}

test('4003 slow_consumer: resume the session after the backoff delay, as a routine close', async () => {
  const { clock, events, WebSocket, latest } = await openOverWebSocket();
  latest().receive({ t: 'close', code: 4003, reason: 'slow_consumer', message: 'too much unread' });
  assert.equal(events.state.at(-1).state, 'reconnecting');
  assert.deepEqual([events.state.at(-1).error?.code, events.state.at(-1).error?.closeCode], ['slow_consumer', 4003]);
  await clock.advance(500);
  assert.equal(WebSocket.instances.length, 2);
  assert.equal(query(latest()).session, SESSION, 'the same session, whose queue kept what was unread');
  latest().receive(hello({ resumed: true }));
  assert.equal(events.state.at(-1).state, 'open');
  assert.deepEqual(events.error, []);
});

test('4003 as a bare WebSocket close code resumes too', async () => {
  const { clock, WebSocket, latest } = await openOverWebSocket();
  latest().drop(4003, 'slow_consumer');
  await clock.advance(1000);
  assert.equal(WebSocket.instances.length, 2);
  assert.equal(query(latest()).session, SESSION);
});

test('4501 revoked: stop for good with a typed error, forget the session', async () => {
  const { client, clock, events, options, WebSocket, latest } = await openOverWebSocket({
    token: () => jwt({ sub: 'alice' }),
  });
  const calls = [];
  client.on('state', (s) => calls.push(s.state));
  latest().receive({ t: 'close', code: 4501, reason: 'revoked', message: 'cut off by an operator' });
  await clock.advance(10 * 60000);
  assert.equal(WebSocket.instances.length, 1, 'never reconnects, not even with a fresh token');
  assert.equal(client.state, 'closed');
  assert.equal(events.error.length, 1);
  const [error] = events.error;
  assert.equal(error.name, 'LasthopError');
  assert.deepEqual([error.code, error.serverCode, error.closeCode], ['revoked', 'revoked', 4501]);
  assert.equal(events.state.at(-1).error?.code, 'revoked');
  assert.equal(options.sessionStorage.getItem(SESSION_KEY), null);
  await assert.rejects(client.send('chat.x', {}), (e) => e.code === 'closed');
});

test('a bare WebSocket close code 4501 is terminal too', async () => {
  const { client, clock, events, WebSocket, latest } = await openOverWebSocket();
  latest().drop(4501, 'revoked');
  await clock.advance(60000);
  assert.equal(client.state, 'closed');
  assert.equal(WebSocket.instances.length, 1);
  assert.equal(events.error[0].code, 'revoked');
});

test('401 token_revoked: a fresh token from the function, then a retry that opens', async () => {
  const http = new FakeHttp();
  const reasons = [];
  const { client, clock, events } = await startClient({
    fetch: http.fetch, transports: ['poll'], backoffBaseMs: 1000,
    token: ({ reason }) => { reasons.push(reason); return jwt({ sub: 'alice', n: reasons.length }); },
  });
  (await http.next()).respond(401, { error: 'token_revoked', message: 'issued before the revocation' });
  await clock.advance(500);
  const retry = await http.next();
  assert.deepEqual(reasons, ['initial', 'refused']);
  assert.equal(retry.query.token, jwt({ sub: 'alice', n: 2 }));
  retry.respond(200, [hello()]);
  await http.next();
  assert.equal(client.state, 'open');
  assert.deepEqual(events.error.map((e) => [e.code, e.serverCode, e.status]), [['auth', 'token_revoked', 401]]);
});

test('401 token_revoked again with the fresh token: stop with revoked instead of looping', async () => {
  const http = new FakeHttp();
  const reasons = [];
  const { client, clock, events } = await startClient({
    fetch: http.fetch, transports: ['poll'], backoffBaseMs: 1000,
    token: ({ reason }) => { reasons.push(reason); return jwt({ sub: 'alice', n: reasons.length }); },
  });
  (await http.next()).respond(401, { error: 'token_revoked', message: 'x' });
  await clock.advance(500);
  (await http.next()).respond(401, { error: 'token_revoked', message: 'still revoked' });
  await clock.advance(10 * 60000);
  assert.equal(client.state, 'closed');
  assert.equal(http.requests.length, 2);
  assert.deepEqual(reasons, ['initial', 'refused'], 'the app was asked for one fresh token, not more');
  assert.deepEqual(events.error.map((e) => [e.code, e.serverCode]), [['auth', 'token_revoked'], ['revoked', 'token_revoked']]);
  assert.equal(events.state.at(-1).error?.code, 'revoked');
});

test('a failure without an answer between two token_revoked refusals does not reset the count', async () => {
  const WebSocket = fakeWebSocketClass();
  const http = new FakeHttp();
  const { client, clock } = await startClient({
    WebSocket, fetch: http.fetch, transports: ['websocket', 'poll'], backoffBaseMs: 1000, token: () => jwt({ sub: 'alice' }),
  });
  WebSocket.instances[0].drop(1006); // a browser cannot read the WebSocket handshake's 401
  (await http.next()).respond(401, { error: 'token_revoked', message: 'x' });
  await clock.advance(500);
  WebSocket.instances[1].drop(1006);
  (await http.next()).respond(401, { error: 'token_revoked', message: 'x' });
  await clock.advance(60000);
  assert.equal(client.state, 'closed');
});

test('401 token_revoked with a fixed string token stops with revoked', async () => {
  const http = new FakeHttp();
  const { client, clock, events } = await startClient({ fetch: http.fetch, transports: ['poll'] });
  (await http.next()).respond(401, { error: 'token_revoked', message: 'x' });
  await clock.advance(60000);
  assert.equal(client.state, 'closed');
  assert.equal(http.requests.length, 1);
  assert.deepEqual(events.error.map((e) => e.code), ['revoked']);
});

/** WebSocket fails without a readable answer, as it does in a browser; HTTP streaming reads it. */
async function refusedOverStream(status, error, retryAfter) {
  const WebSocket = fakeWebSocketClass();
  const http = new FakeHttp();
  const localStorage = new MemoryStorage();
  const started = await startClient({
    WebSocket, fetch: http.fetch, transports: ['websocket', 'stream', 'poll'], localStorage, backoffBaseMs: 1000,
  });
  WebSocket.instances[0].drop(1006);
  const stream = await http.next();
  assert.equal(stream.path, '/lasthop/stream');
  stream.respond(status, { error, message: 'later' }, retryAfter ? { 'Retry-After': retryAfter } : {});
  await started.clock.advance(0);
  return { ...started, WebSocket, http, localStorage };
}

for (const [status, error, code] of [
  [429, 'rate_limited', 'rate_limited'],
  [429, 'too_many_sessions', 'too_many_sessions'],
  [503, 'overloaded', 'unavailable'],
]) {
  test(`${status} ${error}: retry the same transport after Retry-After plus backoff, not the next one`, async () => {
    const { client, clock, events, WebSocket, http, localStorage } = await refusedOverStream(status, error, '3');
    assert.deepEqual(events.error.map((e) => [e.code, e.serverCode, e.status, e.retryAfterMs]), [[code, error, status, 3000]]);
    assert.equal(events.state.at(-1).delayMs, 3500, 'Retry-After, then the first backoff delay (0.5 × 1000 ms)');
    assert.equal(http.requests.length, 1, 'long-polling was not tried: it would get the same answer');
    await clock.advance(3499);
    assert.equal(http.requests.length, 1);
    await clock.advance(1);
    const retry = await http.next();
    assert.equal(retry.path, '/lasthop/stream', 'the same transport again');
    assert.equal(WebSocket.instances.length, 1, 'not the ones before it, which failed without an answer');

    // Refused again: the backoff grows on top of Retry-After.
    retry.respond(status, { error, message: 'later' }, { 'Retry-After': '3' });
    await clock.advance(0);
    assert.equal(events.state.at(-1).delayMs, 4000, '3 s, then 0.5 × 2000 ms');
    await clock.advance(4000);
    const third = await http.next();
    assert.equal(third.path, '/lasthop/stream');
    third.stream().frame(hello({ transport: 'stream' }));
    await clock.advance(0);
    assert.equal(client.state, 'open');
    assert.equal(localStorage.getItem(ORIGIN_KEY), null, 'a retry round proves nothing about WebSocket: nothing remembered');
    client.close();
  });
}

test('429 without Retry-After (a cross-origin page cannot read it): the backoff alone', async () => {
  const { clock, events, http } = await refusedOverStream(429, 'rate_limited', null);
  assert.equal(events.state.at(-1).delayMs, 500);
  await clock.advance(500);
  assert.equal((await http.next()).path, '/lasthop/stream');
});
