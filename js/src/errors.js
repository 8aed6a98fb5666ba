/**
 * Client-side error codes. Server codes (PROTOCOL.md §9) are folded into these so an app can
 * switch on a short list; the exact server code stays in {@link LasthopError#serverCode}.
 *
 * @typedef {'auth' | 'revoked' | 'forbidden' | 'rate_limited' | 'too_many_sessions' | 'too_large'
 *   | 'session_expired' | 'session_lost' | 'session_taken_over' | 'slow_consumer' | 'unroutable' | 'rejected'
 *   | 'bad_key' | 'too_many_subscriptions' | 'reply_token' | 'no_reply_token' | 'unavailable'
 *   | 'protocol' | 'network' | 'timeout' | 'no_transport' | 'closed' | 'handler' | 'lagged'
 *   | 'unknown'} ErrorCode
 */

/** @type {Readonly<Record<string, ErrorCode>>} */
const SERVER_CODES = Object.freeze({
  token_missing: 'auth',
  token_invalid: 'auth',
  token_expired: 'auth',
  // A token issued before the user was revoked: a fresh one may pass; if it does not, the client
  // stops with `revoked` (connector.js).
  token_revoked: 'auth',
  revoked: 'revoked',
  forbidden: 'forbidden',
  origin_forbidden: 'forbidden',
  rate_limited: 'rate_limited',
  too_many_sessions: 'too_many_sessions',
  too_large: 'too_large',
  frame_too_large: 'too_large',
  session_expired: 'session_expired',
  session_lost: 'session_lost',
  session_taken_over: 'session_taken_over',
  slow_consumer: 'slow_consumer',
  too_many_frames: 'rate_limited',
  unroutable: 'unroutable',
  rejected: 'rejected',
  bad_key: 'bad_key',
  too_many_subscriptions: 'too_many_subscriptions',
  reply_token_invalid: 'reply_token',
  reply_token_expired: 'reply_token',
  unavailable: 'unavailable',
  overloaded: 'unavailable',
  bad_frame: 'protocol',
  unknown_frame_type: 'protocol',
  unknown_delivery: 'protocol',
  bad_session_id: 'protocol',
  bad_request: 'protocol',
  not_found: 'protocol',
  session_not_found: 'network',
  stale_connection: 'network',
});

/**
 * @typedef {object} LasthopErrorDetails
 * @property {string} [serverCode] the code the edge sent (`error` frame, HTTP body or `close` reason)
 * @property {number} [status] HTTP status of a refused request
 * @property {number} [closeCode] the close code (4000–4599, or a WebSocket code)
 * @property {number} [retryAfterMs] from a 429's or 503's `Retry-After`, in milliseconds
 * @property {unknown} [cause] the underlying error, if any
 */

/** Every error the client emits or rejects with. */
export class LasthopError extends Error {
  /**
   * @param {ErrorCode} code
   * @param {string} message
   * @param {LasthopErrorDetails} [details]
   */
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'LasthopError';
    /** @type {ErrorCode} */
    this.code = code;
    /** @type {string | undefined} */
    this.serverCode = details.serverCode;
    /** @type {number | undefined} */
    this.status = details.status;
    /** @type {number | undefined} */
    this.closeCode = details.closeCode;
    /** @type {number | undefined} */
    this.retryAfterMs = details.retryAfterMs;
    if (details.cause !== undefined) this.cause = details.cause;
  }
}

/**
 * Maps a server error code to the client's code.
 * @param {string | undefined} serverCode
 * @returns {ErrorCode}
 */
export function clientCode(serverCode) {
  return (serverCode && SERVER_CODES[serverCode]) || 'unknown';
}

/**
 * An error from an `error` frame (`{"t":"error","code":...,"message":...}`).
 * @param {{code?: string, message?: string}} frame
 */
export function fromErrorFrame(frame) {
  return new LasthopError(clientCode(frame.code), frame.message || String(frame.code), {
    serverCode: frame.code,
  });
}

/**
 * An error from a refused HTTP request, whose body is `{"error": code, "message": ...}`.
 * @param {number} status
 * @param {string} bodyText
 * @param {string | null} [retryAfter] the `Retry-After` header, in seconds
 */
export function fromHttpResponse(status, bodyText, retryAfter) {
  let serverCode;
  let message = `HTTP ${status}`;
  try {
    const body = JSON.parse(bodyText);
    if (body && typeof body.error === 'string') {
      serverCode = body.error;
      if (typeof body.message === 'string') message = body.message;
    }
  } catch {
    // Not our JSON (a proxy's error page, or 426 from the WebSocket handshake): keep the status.
  }
  const seconds = retryAfter == null ? NaN : Number(retryAfter);
  const code = serverCode ? clientCode(serverCode)
    : status === 503 ? 'unavailable'
      : status === 429 ? 'rate_limited'
        : 'network';
  return new LasthopError(code, message, {
    serverCode,
    status,
    retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
  });
}
