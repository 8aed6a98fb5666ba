import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenSource, jwtExpiryMs } from '../src/token-source.js';
import { FakeClock, jwt } from '../test-support/fakes.js';

test('jwtExpiryMs reads exp (seconds) as epoch milliseconds, without verifying', () => {
  assert.equal(jwtExpiryMs(jwt({ sub: 'ünïcode ✓', exp: 1767229200 })), 1767229200000);
  assert.equal(jwtExpiryMs(jwt({ sub: 'alice' })), null);
  assert.equal(jwtExpiryMs('not a jwt'), null);
  assert.equal(jwtExpiryMs('a.%%%.c'), null);
});

test('a refresh is scheduled marginMs before exp, and the fresh token is handed over', async () => {
  const clock = new FakeClock();
  const nowS = clock.now() / 1000;
  const tokens = [jwt({ exp: nowS + 3600, n: 1 }), jwt({ exp: nowS + 7200, n: 2 })];
  const reasons = [];
  const refreshed = [];
  const source = new TokenSource({
    token: async ({ reason }) => {
      reasons.push(reason);
      return /** @type {string} */ (tokens.shift());
    },
    timers: clock,
    now: clock.now,
    marginMs: 30000,
    onRefreshed: (t) => refreshed.push(t),
  });
  const first = await source.get();
  assert.equal(jwtExpiryMs(first), (nowS + 3600) * 1000);
  assert.deepEqual(clock.pending(), [3600000 - 30000]);
  await clock.advance(3600000 - 30001);
  assert.deepEqual(refreshed, []);
  await clock.advance(1);
  assert.equal(refreshed.length, 1);
  assert.equal(source.current(), refreshed[0]);
  assert.deepEqual(reasons, ['initial', 'expiring']);
  assert.deepEqual(clock.pending(), [7200000 - 3600000], 'the next refresh follows the new exp');
});

test('a short-lived token is refreshed at half its remaining life, not in a loop', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const source = new TokenSource({
    token: () => {
      calls++;
      return jwt({ exp: clock.now() / 1000 + 20 });
    },
    timers: clock,
    now: clock.now,
    marginMs: 30000,
  });
  await source.get();
  assert.deepEqual(clock.pending(), [10000]);
  await clock.advance(60000);
  assert.equal(calls, 7, 'one initial call and one every 10 s');
});

test('get() reuses a fresh token and refreshes one that is due', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const source = new TokenSource({
    token: () => {
      calls++;
      return jwt({ exp: clock.now() / 1000 + 100 });
    },
    timers: { setTimeout: () => 0, clearTimeout: () => {} }, // the scheduled refresh never fires
    now: clock.now,
    marginMs: 30000,
  });
  await source.get();
  await source.get();
  assert.equal(calls, 1);
  clock.time += 70000;
  await source.get();
  assert.equal(calls, 2);
});

test('concurrent refreshes share one call to the token function', async () => {
  const clock = new FakeClock();
  let calls = 0;
  let release = () => {};
  const source = new TokenSource({
    token: () => {
      calls++;
      return new Promise((resolve) => (release = () => resolve(jwt({ n: calls }))));
    },
    timers: clock,
    now: clock.now,
  });
  const a = source.refresh('refused');
  const b = source.refresh('refused');
  release();
  assert.equal(await a, await b);
  assert.equal(calls, 1);
});

test('a failing scheduled refresh reports an auth error and retries after retryMs', async () => {
  const clock = new FakeClock();
  let fail = true;
  const errors = [];
  const refreshed = [];
  const source = new TokenSource({
    token: ({ reason }) => {
      if (reason === 'expiring' && fail) throw new Error('token server down');
      return jwt({ exp: clock.now() / 1000 + 100 });
    },
    timers: clock,
    now: clock.now,
    marginMs: 30000,
    retryMs: 5000,
    onRefreshed: (t) => refreshed.push(t),
    onError: (e) => errors.push(e),
  });
  await source.get();
  await clock.advance(70000);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'auth');
  assert.match(errors[0].message, /token server down/);
  fail = false;
  await clock.advance(5000);
  assert.equal(refreshed.length, 1);
});

test('a string token is used as is and never scheduled', async () => {
  const clock = new FakeClock();
  const token = jwt({ exp: clock.now() / 1000 + 10 });
  const source = new TokenSource({ token, timers: clock, now: clock.now });
  assert.equal(source.refreshable, false);
  assert.equal(await source.get(), token);
  assert.equal(await source.refresh('refused'), token);
  assert.deepEqual(clock.pending(), []);
});

test('stop() cancels the scheduled refresh', async () => {
  const clock = new FakeClock();
  const source = new TokenSource({ token: () => jwt({ exp: clock.now() / 1000 + 100 }), timers: clock, now: clock.now });
  await source.get();
  assert.equal(clock.pending().length, 1);
  source.stop();
  assert.deepEqual(clock.pending(), []);
});
