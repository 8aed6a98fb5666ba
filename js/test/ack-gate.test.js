import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckGate } from '../src/share/ack-gate.js';
import { topicMatches } from '../src/share/topic-match.js';

function gate(timeoutMs = 1000) {
  const clock = { t: 0 };
  return { clock, g: new AckGate({ timeoutMs, now: () => clock.t }) };
}

test('a delivery is acked once every tab handled it, not before', () => {
  const { g } = gate();
  g.join('a'); g.join('b');
  for (const seq of [1, 2, 3]) g.relayed(seq);
  g.handled('a', 3);
  assert.equal(g.ackable(), 0, 'b has handled nothing');
  g.handled('b', 2);
  assert.equal(g.ackable(), 2);
  g.handled('b', 3);
  assert.equal(g.ackable(), 3);
});

test('a tab that leaves (closed, crashed) is not waited for', () => {
  const { g } = gate();
  g.join('a'); g.join('b');
  g.relayed(1);
  g.handled('a', 1);
  g.leave('b');
  assert.equal(g.ackable(), 1);
});

test('a tab joining later is owed only what is relayed after it joined', () => {
  const { g } = gate();
  g.join('a');
  g.relayed(1); g.relayed(2);
  g.join('late');
  g.handled('a', 2);
  assert.equal(g.ackable(), 2);
  g.relayed(3);
  g.handled('a', 3);
  assert.equal(g.ackable(), 2, 'the late tab is owed 3');
});

test('a frozen tab holds an ack back for the timeout at most, then is left out until it catches up', () => {
  const { clock, g } = gate(1000);
  g.join('a'); g.join('frozen');
  g.relayed(1);
  g.handled('a', 1);
  assert.equal(g.ackable(), 0);
  assert.equal(g.nextDeadline(), 1000);
  clock.t = 999;
  assert.equal(g.ackable(), 0);
  clock.t = 1000;
  assert.equal(g.ackable(), 1, 'timed out');
  // Left out: the next deliveries are acked as soon as the others handled them.
  clock.t = 1100;
  g.relayed(2); g.relayed(3);
  g.handled('a', 3);
  assert.equal(g.ackable(), 3);
  // It thaws and catches up with the ack: waited for again.
  g.handled('frozen', 3);
  g.relayed(4);
  g.handled('a', 4);
  assert.equal(g.ackable(), 3);
  g.handled('frozen', 4);
  assert.equal(g.ackable(), 4);
});

test('a new connection starts the seqs over', () => {
  const { g } = gate();
  g.join('a');
  g.relayed(5); g.handled('a', 5);
  assert.equal(g.ackable(), 5);
  g.reset();
  g.relayed(1);
  assert.equal(g.ackable(), 0);
  g.handled('a', 1);
  assert.equal(g.ackable(), 1);
});

test('topics match as AMQP topic bindings do', () => {
  const cases = [
    ['prices.#', 'prices', true], ['prices.#', 'prices.AAPL.bid', true], ['prices.*', 'prices', false],
    ['prices.*', 'prices.AAPL', true], ['prices.*', 'prices.AAPL.bid', false], ['a.#.c', 'a.c', true],
    ['a.#.c', 'a.x.y.c', true], ['a.#.c', 'a.x.y.d', false], ['#', 'anything.at.all', true],
    ['*.b', 'a.b', true], ['*.b', 'b', false], ['chat.lobby', 'chat.lobby', true], ['chat.lobby', 'chat.other', false],
  ];
  for (const [pattern, key, expected] of cases) assert.equal(topicMatches(pattern, key), expected, `${pattern} ~ ${key}`);
});
