import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckBatcher } from '../src/ack-batcher.js';
import { FakeClock } from '../test-support/fakes.js';

function batcher(options = {}) {
  const clock = new FakeClock();
  const sent = [];
  const acks = new AckBatcher({ send: (seq) => sent.push(seq), delayMs: 100, maxPending: 4, timers: clock, ...options });
  return { clock, sent, acks };
}

test('one cumulative ack of the highest seq after the delay', async () => {
  const { clock, sent, acks } = batcher();
  acks.handled(1);
  acks.handled(2);
  acks.handled(3);
  assert.deepEqual(sent, [], 'nothing before the timer');
  await clock.advance(99);
  assert.deepEqual(sent, []);
  await clock.advance(1);
  assert.deepEqual(sent, [3]);
});

test('flushes at once when maxPending deliveries wait', async () => {
  const { clock, sent, acks } = batcher();
  for (const seq of [1, 2, 3, 4]) acks.handled(seq);
  assert.deepEqual(sent, [4]);
  await clock.advance(1000);
  assert.deepEqual(sent, [4], 'the timer was cancelled, no second ack');
  assert.deepEqual(clock.pending(), []);
});

test('the timer starts at the first pending delivery, not the last', async () => {
  const { clock, sent, acks } = batcher();
  acks.handled(1);
  await clock.advance(60);
  acks.handled(2);
  await clock.advance(40);
  assert.deepEqual(sent, [2]);
});

test('an ack at or below the last one sent is not repeated', async () => {
  const { clock, sent, acks } = batcher();
  acks.handled(5);
  acks.flush();
  acks.handled(3);
  acks.flush();
  await clock.advance(500);
  assert.deepEqual(sent, [5]);
});

test('flush with nothing pending sends nothing', () => {
  const { sent, acks } = batcher();
  acks.flush();
  assert.deepEqual(sent, []);
});

test('reset forgets a pending ack: seq restarts on a new connection', async () => {
  const { clock, sent, acks } = batcher();
  acks.handled(7);
  acks.reset();
  await clock.advance(500);
  assert.deepEqual(sent, []);
  acks.handled(1);
  await clock.advance(100);
  assert.deepEqual(sent, [1], 'seq 1 is acked although 7 was seen before the reset');
});
