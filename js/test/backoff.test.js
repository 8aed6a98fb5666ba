import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../src/backoff.js';

test('the ceiling doubles from the base on every attempt', () => {
  const backoff = new Backoff({ baseMs: 100, capMs: 100000, random: () => 0.999999 });
  const delays = Array.from({ length: 6 }, () => backoff.next());
  assert.deepEqual(delays, [99, 199, 399, 799, 1599, 3199]);
});

test('delays never exceed the cap, even after many attempts', () => {
  const backoff = new Backoff({ baseMs: 100, capMs: 5000, random: () => 0.999999 });
  const delays = Array.from({ length: 100 }, () => backoff.next());
  assert.equal(Math.max(...delays), 4999);
  assert.ok(delays.slice(6).every((d) => d === 4999), 'attempt 6 on is capped');
});

test('full jitter: the delay is random * ceiling, from 0 up', () => {
  const draws = [0, 0.5, 0.25, 0.5];
  const backoff = new Backoff({ baseMs: 1000, capMs: 60000, random: () => /** @type {number} */ (draws.shift()) });
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [0, 1000, 1000, 4000]);
});

test('reset starts over from the base', () => {
  const backoff = new Backoff({ baseMs: 200, capMs: 10000, random: () => 0.5 });
  backoff.next();
  backoff.next();
  backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 100);
});

test('with Math.random, every delay stays inside [0, min(cap, base * 2^n))', () => {
  const backoff = new Backoff({ baseMs: 50, capMs: 3000 });
  for (let n = 0; n < 200; n++) {
    const delay = backoff.next();
    assert.ok(delay >= 0 && delay < Math.min(3000, 50 * 2 ** n), `attempt ${n}: ${delay}`);
  }
});
