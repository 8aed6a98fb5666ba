import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterClose, afterHttpError } from '../src/close-policy.js';
import { fromHttpResponse } from '../src/errors.js';

test('4000–4099 resume the session, after reconnectAfterMs when given', () => {
  assert.deepEqual(afterClose(4000), { action: 'resume', delayMs: undefined });
  assert.deepEqual(afterClose(4001, 2500), { action: 'resume', delayMs: 2500 });
  assert.deepEqual(afterClose(4099), { action: 'resume', delayMs: undefined });
  assert.deepEqual(afterClose(4002, -1), { action: 'resume', delayMs: undefined }, 'a nonsense hint is ignored');
});

test('4100 refreshes the token, 4101 forgets the session', () => {
  assert.equal(afterClose(4100).action, 'refresh');
  assert.equal(afterClose(4101).action, 'new-session');
});

test('4500 and above stop', () => {
  assert.equal(afterClose(4500).action, 'stop');
  assert.equal(afterClose(4599).action, 'stop');
  assert.equal(afterClose(4777).action, 'stop');
});

test('WebSocket codes and unknown 41xx–44xx codes resume', () => {
  for (const code of [1000, 1006, 1009, 1011, 4150, 4200, 4499]) assert.equal(afterClose(code).action, 'resume', String(code));
});

const http = (status, error, retryAfter = null) =>
  afterHttpError(fromHttpResponse(status, JSON.stringify({ error, message: 'x' }), retryAfter));

test('HTTP refusals about the token refresh it', () => {
  assert.equal(http(401, 'token_expired')?.action, 'refresh');
  assert.equal(http(401, 'token_invalid')?.action, 'refresh');
  assert.equal(http(401, 'token_missing')?.action, 'refresh');
});

test('503 unavailable and overloaded retry the same transport after Retry-After', () => {
  assert.deepEqual(http(503, 'unavailable', '2'), { action: 'resume', minDelayMs: 2000, retry: true });
  assert.deepEqual(http(503, 'overloaded', '5'), { action: 'resume', minDelayMs: 5000, retry: true });
  assert.deepEqual(afterHttpError(fromHttpResponse(503, '<html>bad gateway</html>', null)),
    { action: 'resume', minDelayMs: undefined, retry: true });
});

test('429 rate_limited and too_many_sessions retry the same transport after Retry-After, never the next one', () => {
  assert.deepEqual(http(429, 'rate_limited', '3'), { action: 'resume', minDelayMs: 3000, retry: true });
  assert.deepEqual(http(429, 'too_many_sessions', '10'), { action: 'resume', minDelayMs: 10000, retry: true });
  assert.deepEqual(afterHttpError(fromHttpResponse(429, 'slow down', null)),
    { action: 'resume', minDelayMs: undefined, retry: true }, "a proxy's 429 too");
});

test('401 token_revoked refreshes the token like the other token refusals', () => {
  assert.equal(http(401, 'token_revoked')?.action, 'refresh');
});

test('4003 slow_consumer resumes; 4501 revoked stops', () => {
  assert.deepEqual(afterClose(4003), { action: 'resume', delayMs: undefined });
  assert.deepEqual(afterClose(4501), { action: 'stop' });
});

test('a malformed stored session id starts a new session', () => {
  assert.equal(http(400, 'bad_session_id')?.action, 'new-session');
});

test('no response, a 404 from an edge without this endpoint, or a proxy page: try the next transport', () => {
  assert.equal(http(404, 'not_found'), null);
  assert.equal(http(405, 'bad_request'), null);
  assert.equal(afterHttpError(fromHttpResponse(502, '<html>', null)), null);
  assert.equal(afterHttpError(/** @type {any} */ ({ code: 'network' })), null);
});
