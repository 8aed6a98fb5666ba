import { LasthopError } from '../errors.js';

/**
 * @typedef {object} CloseInfo why a transport ended by itself
 * @property {LasthopError} error what went wrong; `code` `network` for a plain drop
 * @property {number} [code] the WebSocket close code, when there is one
 *
 * @typedef {object} TransportHandlers
 * @property {(frame: Record<string, any>) => Promise<void> | void} onFrame a server frame, in
 *   order; the promise settles once the client handled it (long-polling waits for that)
 * @property {() => void} onActivity bytes arrived, frames or not (padding, an empty poll)
 * @property {(info: CloseInfo) => void} onClose the transport ended without `close()`; called once
 * @property {(error: LasthopError) => void} onError a failure that does not end the transport,
 *   such as a refused POST of client frames
 * @property {() => void} flush writes what the client holds back (batched acks) now
 *
 * @typedef {object} TransportContext
 * @property {import('../env.js').Environment} env
 * @property {import('../endpoints.js').Endpoints} endpoints
 * @property {() => string | null} token the current token, read at each request
 * @property {import('../storage.js').ResumePoint | null} resume the session to resume, with the
 *   connection and node of its latest `hello`; null for a new session
 * @property {number} pollTimeoutMs the longest wait for one long-poll answer
 * @property {TransportHandlers} handlers
 */

/**
 * The shape every transport shares, after engine.io-client: the client calls `open`, `send` and
 * `close`; a transport implements `doOpen`, `write` and `doClose`, and reports through
 * `receive` (frames) and `ended` (an end it did not ask for). After `close()` or `ended()`,
 * nothing more reaches the client.
 */
export class Transport {
  /** @type {import('../negotiator.js').TransportName} */
  static transportName = 'websocket';
  /** Whether the edge wants `pong` answers to its pings (only WebSocket does, PROTOCOL.md §4). */
  static answersPings = false;
  /**
   * Whether the transport times its own requests. Long-polling does: its first answer may be
   * held for the edge's poll timeout, and it gets no pings, so neither the `hello` timeout nor
   * the 3-heartbeat silence rule applies to it.
   */
  static timesItself = false;

  /**
   * Whether this environment has what the transport needs.
   * @param {import('../env.js').Environment} env
   * @returns {boolean}
   */
  static available(env) {
    return Boolean(env);
  }

  /** @param {TransportContext} context */
  constructor(context) {
    this.env = context.env;
    this.endpoints = context.endpoints;
    this.token = context.token;
    this.handlers = context.handlers;
    /** @type {import('../storage.js').ResumePoint | null} what this transport was opened to resume */
    this.resume = context.resume;
    this.pollTimeoutMs = context.pollTimeoutMs;
    /** @type {string | null} the session of the latest `hello` (or the one being resumed) */
    this.session = context.resume ? context.resume.session : null;
    /** @type {string | null} the connection of the latest `hello`; POSTs must name it */
    this.connection = null;
    /** @type {string | null} the node of the latest `hello`, which holds the session */
    this.node = null;
    /** @type {'new' | 'open' | 'closed'} */
    this.state = 'new';
  }

  /** @returns {import('../negotiator.js').TransportName} */
  get name() {
    return /** @type {typeof Transport} */ (this.constructor).transportName;
  }

  open() {
    if (this.state !== 'new') return;
    this.state = 'open';
    this.doOpen();
  }

  /**
   * Writes client frames, in order.
   * @param {Record<string, unknown>[]} frames
   * @returns {boolean} false when the transport is closed and nothing was written
   */
  send(frames) {
    if (this.state !== 'open') return false;
    this.write(frames);
    return true;
  }

  /** Ends the transport on the client's initiative; no `onClose` follows. */
  close() {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.doClose();
  }

  get closed() {
    return this.state === 'closed';
  }

  /** @protected */
  doOpen() {
    throw new Error('doOpen not implemented');
  }

  /**
   * @protected
   * @param {Record<string, unknown>[]} frames
   */
  write(frames) {
    throw new Error(`write not implemented for ${frames.length} frames`);
  }

  /** @protected */
  doClose() {}

  /**
   * Passes one server frame on. `hello` updates the session and connection ids first, so frames
   * written while the client handles it already carry the new connection.
   * @protected
   * @param {Record<string, any>} frame
   * @returns {Promise<void> | void}
   */
  receive(frame) {
    if (this.closed) return;
    if (frame.t === 'hello') {
      this.session = frame.session;
      this.connection = frame.connection;
      this.node = typeof frame.node === 'string' ? frame.node : null;
    }
    return this.handlers.onFrame(frame);
  }

  /**
   * Parses and passes on one frame's JSON text; a malformed frame ends the transport.
   * @protected
   * @param {string} text
   */
  receiveText(text) {
    const frame = parseFrame(text);
    if (frame) return this.receive(frame);
    this.ended({ error: new LasthopError('protocol', `malformed frame from the edge: ${text.slice(0, 80)}`) });
  }

  /**
   * Where one-way transports POST client frames: the latest `hello`'s connection, with the
   * current token.
   * @protected
   * @returns {string | null} null before the first `hello`
   */
  framesUrl() {
    if (!this.connection) return null;
    return this.endpoints.url('frames', {
      token: this.token(),
      session: this.session,
      connection: this.connection,
      node: this.node,
    });
  }

  /**
   * The query of the request that opens this transport: the token, and the session to resume
   * with the connection and node of its latest `hello` (PROTOCOL.md §2).
   * @protected
   * @returns {Record<string, string | null | undefined>}
   */
  openParams() {
    const resume = this.resume;
    return {
      token: this.token(),
      session: resume?.session,
      connection: resume?.connection,
      node: resume?.node,
    };
  }

  /** @protected */
  activity() {
    if (!this.closed) this.handlers.onActivity();
  }

  /**
   * Reports an end the client did not ask for; releases resources through `doClose`.
   * @protected
   * @param {CloseInfo} info
   */
  ended(info) {
    if (this.closed) return;
    this.state = 'closed';
    this.doClose();
    this.handlers.onClose(info);
  }
}

/**
 * @param {string} text
 * @returns {Record<string, any> | null} the frame, or null unless it is an object with a string `t`
 */
export function parseFrame(text) {
  try {
    const frame = JSON.parse(text);
    return frame && typeof frame === 'object' && !Array.isArray(frame) && typeof frame.t === 'string'
      ? frame
      : null;
  } catch {
    return null;
  }
}
