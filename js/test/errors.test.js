import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LasthopError, clientCode, fromErrorFrame, fromHttpResponse } from '../src/errors.js';

test('server codes fold into the client codes', () => {
  const cases = {
    token_expired: 'auth', token_invalid: 'auth', token_missing: 'auth', forbidden: 'forbidden',
    rate_limited: 'rate_limited', too_large: 'too_large', frame_too_large: 'too_large',
    session_expired: 'session_expired', unroutable: 'unroutable', rejected: 'rejected',
    reply_token_expired: 'reply_token', bad_frame: 'protocol', unavailable: 'unavailable',
    slow_consumer: 'slow_consumer', revoked: 'revoked', token_revoked: 'auth',
    too_many_sessions: 'too_many_sessions', overloaded: 'unavailable',
    something_new: 'unknown',
  };
  for (const [server, client] of Object.entries(cases)) assert.equal(clientCode(server), client, server);
});

test('an error frame keeps the server code and message', () => {
  const error = fromErrorFrame({ code: 'rate_limited', message: 'slow down' });
  assert.ok(error instanceof LasthopError && error instanceof Error);
  assert.equal(error.code, 'rate_limited');
  assert.equal(error.serverCode, 'rate_limited');
  assert.equal(error.message, 'slow down');
});

test('an HTTP error body gives code, status and Retry-After in ms', () => {
  const error = fromHttpResponse(503, '{"error":"unavailable","message":"broker not ready"}', '2');
  assert.equal(error.code, 'unavailable');
  assert.equal(error.status, 503);
  assert.equal(error.retryAfterMs, 2000);
  assert.equal(error.message, 'broker not ready');
});

test('a body that is not ours keeps the status and says network', () => {
  const error = fromHttpResponse(502, '<html>Bad Gateway</html>', null);
  assert.equal(error.code, 'network');
  assert.equal(error.serverCode, undefined);
  assert.equal(error.message, 'HTTP 502');
});

test('a 429 without our body is rate_limited, with its Retry-After', () => {
  const error = fromHttpResponse(429, 'Too Many Requests', '7');
  assert.equal(error.code, 'rate_limited');
  assert.equal(error.retryAfterMs, 7000);
});
