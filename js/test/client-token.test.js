import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHttp, fakeEventSourceClass, fakeWebSocketClass, hello, jwt, startClient } from '../test-support/fakes.js';

const T0 = 1_767_225_600; // the fake clock's start, in seconds

function tokenSequence() {
  let n = 0;
  const calls = [];
  const token = ({ reason }) => {
    calls.push(reason);
    n++;
    return jwt({ sub: 'alice', n, exp: T0 + n * 3600 });
  };
  return { token, calls };
}

test('the token function is called again before exp and the fresh token is sent in-band', async () => {
  const WebSocket = fakeWebSocketClass();
  const { token, calls } = tokenSequence();
  const { clock } = await startClient({ WebSocket, transports: ['websocket'], token, tokenRefreshMarginMs: 60000 });
  const ws = WebSocket.instances[0];
  assert.equal(new URL(ws.url).searchParams.get('token'), jwt({ sub: 'alice', n: 1, exp: T0 + 3600 }));
  ws.receive(hello({ heartbeatMs: 10 ** 7 }));
  await clock.advance(3600000 - 60001);
  assert.deepEqual(ws.sent, []);
  await clock.advance(1);
  assert.deepEqual(calls, ['initial', 'expiring']);
  assert.deepEqual(ws.sent, [{ t: 'auth', token: jwt({ sub: 'alice', n: 2, exp: T0 + 7200 }) }]);
  ws.receive({ t: 'auth_ok', expiresAt: (T0 + 7200) * 1000 });
  ws.drop(1006);
  await clock.advance(1000);
  assert.equal(
    new URL(WebSocket.instances[1].url).searchParams.get('token'),
    jwt({ sub: 'alice', n: 2, exp: T0 + 7200 }),
    'reconnects use the fresh token',
  );
});

test('over SSE the auth frame goes by POST, and later POSTs carry the fresh token', async () => {
  const EventSource = fakeEventSourceClass();
  const http = new FakeHttp();
  const { token } = tokenSequence();
  const { clock } = await startClient({ EventSource, fetch: http.fetch, transports: ['sse'], token });
  EventSource.instances[0].receive(hello({ heartbeatMs: 10 ** 7 }));
  await clock.advance(3600000 - 30000);
  const post = await http.next();
  const fresh = jwt({ sub: 'alice', n: 2, exp: T0 + 7200 });
  assert.equal(post.path, '/lasthop/frames');
  assert.deepEqual(JSON.parse(post.body), [{ t: 'auth', token: fresh }]);
  assert.equal(post.query.token, fresh);
});

test('after the tab slept past the refresh time, the reconnect uses a fresh token', async () => {
  const WebSocket = fakeWebSocketClass();
  const { token, calls } = tokenSequence();
  const { clock } = await startClient({ WebSocket, transports: ['websocket'], token, backoffBaseMs: 1000 });
  WebSocket.instances[0].receive(hello());
  WebSocket.instances[0].drop(1006);
  clock.time += 3600000 - 10000; // timers were frozen meanwhile; both are overdue now
  await clock.advance(0);
  assert.deepEqual(calls, ['initial', 'expiring'], 'one refresh: it also replaces the overdue timer');
  const used = new URL(/** @type {any} */ (WebSocket.instances.at(-1)).url).searchParams.get('token');
  assert.equal(used, jwt({ sub: 'alice', n: 2, exp: T0 + 7200 }));
});

test('a refused in-band auth is reported as an auth error', async () => {
  const WebSocket = fakeWebSocketClass();
  const { events } = await startClient({ WebSocket, transports: ['websocket'] });
  WebSocket.instances[0].receive(hello());
  WebSocket.instances[0].receive({ t: 'error', code: 'token_invalid', message: 'another subject' });
  assert.deepEqual(events.error.map((e) => [e.code, e.serverCode]), [['auth', 'token_invalid']]);
});

test('a token function that fails is reported and retried with backoff', async () => {
  const WebSocket = fakeWebSocketClass();
  let fail = true;
  const token = () => {
    if (fail) throw new Error('login service down');
    return jwt({ exp: T0 + 3600 });
  };
  const { clock, events } = await startClient({ WebSocket, transports: ['websocket'], token, backoffBaseMs: 1000 });
  assert.equal(WebSocket.instances.length, 0);
  assert.equal(events.error[0].code, 'auth');
  fail = false;
  await clock.advance(500);
  assert.equal(WebSocket.instances.length, 1);
});
