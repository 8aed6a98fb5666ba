import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Negotiator, TRANSPORT_NAMES } from '../src/negotiator.js';
import { TransportMemory } from '../src/storage.js';
import { FakeClock, MemoryStorage } from '../test-support/fakes.js';

const all = () => true;
function memory(storage = new MemoryStorage(), clock = new FakeClock()) {
  return new TransportMemory(storage, 'https://app.example.com', clock.now, 24 * 3600 * 1000);
}

test('by default: WebSocket, then SSE, then HTTP streaming, then long-polling', () => {
  const negotiator = new Negotiator({ available: all, memory: memory() });
  assert.deepEqual(negotiator.round(), ['websocket', 'sse', 'stream', 'poll']);
  assert.deepEqual(TRANSPORT_NAMES, negotiator.round());
});

test('transports: forces a list and its order', () => {
  const negotiator = new Negotiator({ transports: ['poll', 'sse'], available: all, memory: memory() });
  assert.deepEqual(negotiator.round(), ['poll', 'sse']);
});

test('exclude: removes transports from the default list', () => {
  const negotiator = new Negotiator({ exclude: ['websocket', 'poll'], available: all, memory: memory() });
  assert.deepEqual(negotiator.round(), ['sse', 'stream']);
});

test('transports the environment cannot run are left out', () => {
  const negotiator = new Negotiator({ available: (name) => name !== 'websocket' && name !== 'sse', memory: memory() });
  assert.deepEqual(negotiator.round(), ['stream', 'poll']);
});

test('unknown transport names are refused', () => {
  assert.throws(() => new Negotiator({ transports: ['carrier-pigeon'], available: all, memory: memory() }), /unknown transport/);
  assert.throws(() => new Negotiator({ exclude: ['ws'], available: all, memory: memory() }), TypeError);
});

test('the transport that worked is tried first next time, for the same origin, from storage', () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  new Negotiator({ available: all, memory: memory(storage, clock) }).succeeded('stream');
  const later = new Negotiator({ available: all, memory: memory(storage, clock) });
  assert.deepEqual(later.round(), ['stream', 'websocket', 'sse', 'poll']);
  const otherOrigin = new Negotiator({
    available: all,
    memory: new TransportMemory(storage, 'https://other.example.com', clock.now, 1000),
  });
  assert.deepEqual(otherOrigin.round(), TRANSPORT_NAMES);
});

test('the memory expires, so a network that blocked WebSocket once is retried later', () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  new Negotiator({ available: all, memory: memory(storage, clock) }).succeeded('sse');
  clock.time += 24 * 3600 * 1000;
  assert.deepEqual(new Negotiator({ available: all, memory: memory(storage, clock) }).round(), TRANSPORT_NAMES);
});

test('a remembered transport that is not allowed now is ignored', () => {
  const storage = new MemoryStorage();
  new Negotiator({ available: all, memory: memory(storage) }).succeeded('poll');
  const forced = new Negotiator({ transports: ['websocket', 'sse'], available: all, memory: memory(storage) });
  assert.deepEqual(forced.round(), ['websocket', 'sse']);
});

test('storage that throws or holds garbage does not break negotiation', () => {
  const throwing = { getItem() { throw new Error('SecurityError'); }, setItem() { throw new Error('QuotaExceeded'); }, removeItem() {} };
  const negotiator = new Negotiator({ available: all, memory: memory(/** @type {any} */ (throwing)) });
  negotiator.succeeded('sse');
  assert.deepEqual(negotiator.round(), ['sse', 'websocket', 'stream', 'poll'], 'kept in memory');
  const garbage = new MemoryStorage({ 'lasthop.transport:https://app.example.com': '{not json' });
  assert.deepEqual(new Negotiator({ available: all, memory: memory(garbage) }).round(), TRANSPORT_NAMES);
});
