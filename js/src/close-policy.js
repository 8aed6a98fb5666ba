/**
 * What the client does when a connection ends (PROTOCOL.md §9). Close codes are judged by range,
 * so codes added later get a sensible default: 4000–4099 resume, 4100–4199 act then reconnect,
 * 4500 and above stop. WebSocket codes (1000–3999) are plain drops: resume.
 *
 * @typedef {object} Decision
 * @property {'resume' | 'refresh' | 'new-session' | 'stop'} action
 *   resume: reconnect with the session id; refresh: get a fresh token first; new-session: forget
 *   the session id first; stop: do not reconnect
 * @property {number} [delayMs] wait exactly this long instead of the backoff delay
 * @property {number} [minDelayMs] wait this long, then the backoff delay on top (a 429's or
 *   503's Retry-After)
 * @property {boolean} [retry] the edge refused for now (429, 503): try the same transport again
 *   rather than the next one, which would get the same answer
 * @property {import('./negotiator.js').TransportName} [transport] the transport to retry first
 */

/**
 * @param {number} code the `close` frame's code, or the WebSocket close code
 * @param {number} [reconnectAfterMs] the `close` frame's hint
 * @returns {Decision}
 */
export function afterClose(code, reconnectAfterMs) {
  if (code >= 4500) return { action: 'stop' };
  if (code === 4100) return { action: 'refresh' };
  if (code === 4101 || code === 4102) return { action: 'new-session' };
  const delayMs = Number.isInteger(reconnectAfterMs) && /** @type {number} */ (reconnectAfterMs) >= 0
    ? reconnectAfterMs
    : undefined;
  return { action: 'resume', delayMs };
}

/** HTTP refusals that say something about the token or session, not about the transport. */
const REFUSALS = /** @type {const} */ ({
  token_missing: 'refresh',
  token_invalid: 'refresh',
  token_expired: 'refresh',
  token_revoked: 'refresh',
  bad_session_id: 'new-session',
  session_not_found: 'resume',
  stale_connection: 'resume',
  frame_too_large: 'resume',
});

/**
 * Judges a failed HTTP request that opened or fed a connection.
 * @param {import('./errors.js').LasthopError} error
 * @returns {Decision | null} null when the failure says the transport does not work here (no
 *   response, a proxy's error page, 404 from an edge that lacks this endpoint): try the next one
 */
export function afterHttpError(error) {
  if (error.status === undefined) return null;
  // 429 (rate_limited, too_many_sessions, or a proxy's) and 503 (unavailable, overloaded, or a
  // proxy's): the edge or the path to it says "later", not "this transport does not work".
  if (error.status === 429 || error.status === 503) {
    return { action: 'resume', minDelayMs: error.retryAfterMs, retry: true };
  }
  const action = error.serverCode && REFUSALS[/** @type {keyof typeof REFUSALS} */ (error.serverCode)];
  if (action) return { action, minDelayMs: error.retryAfterMs };
  return null;
}
