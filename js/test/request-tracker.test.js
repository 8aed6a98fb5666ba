import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LasthopError } from '../src/errors.js';
import { RequestTracker } from '../src/request-tracker.js';
import { FakeClock } from '../test-support/fakes.js';

function tracker({ connected = true, timeoutMs = 1000 } = {}) {
  const clock = new FakeClock();
  const written = [];
  const state = { connected };
  const requests = new RequestTracker({
    write: (frame) => state.connected && (written.push(frame), true),
    timers: clock,
    timeoutMs,
  });
  return { clock, written, requests, state };
}

test('each request gets its own ref; ok and error settle the matching one', async () => {
  const { written, requests } = tracker();
  const a = requests.request({ t: 'send', key: 'a' });
  const b = requests.request({ t: 'send', key: 'b' });
  assert.deepEqual(written.map((f) => [f.ref, f.key]), [[1, 'a'], [2, 'b']]);
  assert.equal(requests.answer({ t: 'error', ref: 2, code: 'forbidden', message: 'no' }), true);
  assert.equal(requests.answer({ t: 'ok', ref: 1 }), true);
  assert.equal(await a, undefined);
  await assert.rejects(b, (e) => e instanceof LasthopError && e.code === 'forbidden' && e.serverCode === 'forbidden');
});

test('answers with unknown refs, or without ref, are not taken', () => {
  const { requests } = tracker();
  assert.equal(requests.answer({ t: 'ok', ref: 99 }), false);
  assert.equal(requests.answer({ t: 'error', code: 'unknown_delivery' }), false);
});

test('a request times out and a late answer is ignored', async () => {
  const { clock, requests } = tracker({ timeoutMs: 500 });
  const p = requests.request({ t: 'sub', topic: 'x' });
  const settled = assert.rejects(p, (e) => e.code === 'timeout');
  await clock.advance(500);
  await settled;
  assert.equal(requests.answer({ t: 'ok', ref: 1 }), false);
});

test('requests made while disconnected are written on replay, in ref order', () => {
  const { written, requests, state } = tracker({ connected: false });
  requests.request({ t: 'send', key: 'a' }).catch(() => {});
  requests.request({ t: 'sub', topic: 't' }).catch(() => {});
  assert.deepEqual(written, []);
  state.connected = true;
  requests.replay();
  assert.deepEqual(written.map((f) => f.ref), [1, 2]);
});

test('replay(belowRef) skips requests made after the mark', () => {
  const { written, requests } = tracker();
  requests.request({ t: 'send', key: 'old' }).catch(() => {});
  const mark = requests.nextRef;
  requests.request({ t: 'sub', topic: 'new' }).catch(() => {});
  written.length = 0;
  requests.replay(mark);
  assert.deepEqual(written.map((f) => f.ref), [1]);
});

test('failAll rejects everything pending and clears the timers', async () => {
  const { clock, requests } = tracker();
  const p = requests.request({ t: 'send', key: 'a' });
  requests.failAll(new LasthopError('closed', 'bye'));
  await assert.rejects(p, (e) => e.code === 'closed');
  assert.deepEqual(clock.pending(), []);
});
