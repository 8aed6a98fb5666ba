import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DedupeWindow } from '../src/dedupe-window.js';

test('an id is new once, then a duplicate', () => {
  const window = new DedupeWindow(10);
  assert.equal(window.seen('a'), false);
  assert.equal(window.seen('b'), false);
  assert.equal(window.seen('a'), true);
  assert.equal(window.seen('b'), true);
});

test('the window is bounded: the least recently seen id is forgotten', () => {
  const window = new DedupeWindow(3);
  for (const id of ['a', 'b', 'c', 'd']) window.seen(id);
  assert.equal(window.ids.size, 3);
  assert.equal(window.has('a'), false, 'a was the oldest');
  assert.equal(window.seen('a'), false, 'so it counts as new again');
});

test('seeing a duplicate refreshes it, so a frequently redelivered id stays', () => {
  const window = new DedupeWindow(3);
  window.seen('a');
  window.seen('b');
  window.seen('c');
  assert.equal(window.seen('a'), true); // a is now the most recent
  window.seen('d'); // evicts b, not a
  assert.equal(window.has('a'), true);
  assert.equal(window.has('b'), false);
});

test('a window smaller than one is refused', () => {
  assert.throws(() => new DedupeWindow(0), RangeError);
});
