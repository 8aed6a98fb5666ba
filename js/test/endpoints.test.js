import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Endpoints } from '../src/endpoints.js';

test('endpoint URLs under the base, query values encoded, absent ones left out', () => {
  const endpoints = new Endpoints('https://app.example.com/');
  assert.equal(endpoints.url('sse', { token: 'a.b+c', session: null }), 'https://app.example.com/lasthop/sse?token=a.b%2Bc');
  assert.equal(
    endpoints.url('frames', { token: 't', session: 's', connection: 'c' }),
    'https://app.example.com/lasthop/frames?token=t&session=s&connection=c',
  );
});

test('WebSocket URLs switch the scheme', () => {
  assert.equal(new Endpoints('https://x.test').webSocket({ token: 't' }), 'wss://x.test/lasthop/ws?token=t');
  assert.equal(new Endpoints('http://x.test:8080').webSocket({ token: 't' }), 'ws://x.test:8080/lasthop/ws?token=t');
  assert.equal(new Endpoints('wss://x.test').url('poll', {}), 'https://x.test/lasthop/poll');
});

test('a path prefix behind a proxy is kept; relative URLs resolve against the page', () => {
  assert.equal(new Endpoints('https://x.test/edge/').url('stream', {}), 'https://x.test/edge/lasthop/stream');
  const relative = new Endpoints('/edge', 'https://app.test/chat/room?x=1');
  assert.equal(relative.url('poll', {}), 'https://app.test/edge/lasthop/poll');
  assert.equal(relative.origin, 'https://app.test');
});

test('other schemes are refused', () => {
  assert.throws(() => new Endpoints('ftp://x.test'), TypeError);
});
