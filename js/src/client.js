import { AckBatcher } from './ack-batcher.js';
import { Backoff } from './backoff.js';
import { afterClose, afterHttpError } from './close-policy.js';
import { DedupeWindow } from './dedupe-window.js';
import { Emitter } from './emitter.js';
import { Endpoints } from './endpoints.js';
import { resolveEnvironment } from './env.js';
import { LasthopError, clientCode, fromErrorFrame } from './errors.js';
import { Inbox } from './inbox.js';
import { Message, encodeBody } from './message.js';
import { Negotiator } from './negotiator.js';
import { RequestTracker } from './request-tracker.js';
import { SessionStore, TransportMemory } from './storage.js';
import { TokenSource } from './token-source.js';
import { TRANSPORTS } from './transports/index.js';

/**
 * @typedef {import('./negotiator.js').TransportName} TransportName
 * @typedef {'connecting' | 'open' | 'reconnecting' | 'closed'} ConnectionState
 *
 * @typedef {object} StateChange
 * @property {ConnectionState} state
 * @property {TransportName | null} transport the transport in use or being tried; null while
 *   waiting to reconnect or once closed
 * @property {ConnectionState} previous
 * @property {string} [session] when open: the session id
 * @property {boolean} [resumed] when open: whether the session was resumed (PROTOCOL.md §5)
 * @property {number} [delayMs] when waiting to reconnect: how long
 * @property {LasthopError} [error] what ended the previous connection or attempt, if known
 *
 * @typedef {object} ClientEvents
 * @property {Message} message a delivery; a handler may return a promise, and the ack waits for it
 * @property {StateChange} state
 * @property {LasthopError} error
 *
 * @typedef {object} ClientOptions
 * @property {import('./token-source.js').TokenOption} token a JWT, or a function returning one
 *   (maybe async); the function is called again before the token's `exp`
 * @property {readonly TransportName[]} [transports] only these, in this order
 * @property {readonly TransportName[]} [exclude] never these
 * @property {number} [helloTimeoutMs] how long a transport may take to deliver `hello`
 * @property {number} [backoffBaseMs] first reconnect delay ceiling
 * @property {number} [backoffCapMs] largest reconnect delay
 * @property {number} [ackDelayMs] longest wait before a batched ack goes out
 * @property {number} [ackBatchSize] send the ack at once when this many deliveries are unacked
 * @property {number} [dedupeWindow] how many message ids to remember for de-duplication
 * @property {number} [requestTimeoutMs] how long send/reply/subscribe wait for `ok`
 * @property {number} [tokenRefreshMarginMs] refresh the token this long before its `exp`
 * @property {number} [rememberTransportMs] how long the working transport is preferred
 * @property {string} [pageUrl] base for a relative edge URL; defaults to `location.href`
 */

/** @type {Required<Omit<ClientOptions, 'token' | 'transports' | 'exclude' | 'pageUrl'>>} */
const DEFAULTS = {
  helloTimeoutMs: 10000,
  backoffBaseMs: 500,
  backoffCapMs: 30000,
  ackDelayMs: 100,
  ackBatchSize: 32,
  dedupeWindow: 1000,
  requestTimeoutMs: 30000,
  tokenRefreshMarginMs: 30000,
  rememberTransportMs: 24 * 60 * 60 * 1000,
};

/**
 * A connection to a Lasthop edge that stays up: it negotiates a transport, resumes its session
 * after every drop, acks what the app handled and drops redeliveries. Create it with `connect`.
 * @extends {Emitter<ClientEvents>}
 */
export class LasthopClient extends Emitter {
  /**
   * @param {string} url the edge's base URL (where `/lasthop/...` lives)
   * @param {ClientOptions & import('./env.js').EnvironmentOptions} options
   */
  constructor(url, options) {
    super();
    const o = { ...DEFAULTS, ...options };
    const env = resolveEnvironment(options);
    /** @private */
    this.env = env;
    const timers = env.timers;
    /** @private */
    this.options = o;
    /** @private */
    this.endpoints = new Endpoints(url, o.pageUrl ?? globalThis.location?.href);
    /** @private */
    this.tokens = new TokenSource({
      token: o.token,
      timers,
      now: env.now,
      marginMs: o.tokenRefreshMarginMs,
      onRefreshed: (token) => this.write({ t: 'auth', token }),
      onError: (error) => this.emitError(error),
    });
    /** @private */
    this.sessions = new SessionStore(env.sessionStorage, this.endpoints.base);
    /** @private */
    this.negotiator = new Negotiator({
      transports: o.transports,
      exclude: o.exclude,
      available: (name) => TRANSPORTS[name].available(env),
      memory: new TransportMemory(env.localStorage, this.endpoints.origin, env.now, o.rememberTransportMs),
    });
    /** @private */
    this.backoff = new Backoff({ baseMs: o.backoffBaseMs, capMs: o.backoffCapMs, random: env.random });
    /** @private */
    this.acks = new AckBatcher({
      send: (seq) => this.write({ t: 'ack', seq }),
      delayMs: o.ackDelayMs,
      maxPending: o.ackBatchSize,
      timers,
    });
    /** @private Counts connections; deliveries are acked only on the connection they came on. */
    this.epoch = 0;
    /** @private */
    this.inbox = new Inbox({
      dedupe: new DedupeWindow(o.dedupeWindow),
      acks: this.acks,
      dispatch: (frame) => this.dispatch(frame),
      epoch: () => this.epoch,
    });
    /** @private */
    this.requests = new RequestTracker({ write: (frame) => this.write(frame), timers, timeoutMs: o.requestTimeoutMs });
    /** @private @type {Set<string>} topics to hold, replayed on every connection */
    this.topics = new Set();
    /** @type {ConnectionState} */
    this.state = 'connecting';
    /** @type {TransportName | null} */
    this.transport = null;
    /** @type {Record<string, any> | null} the latest `hello` */
    this.hello = null;
    /** @private @type {import('./transports/transport.js').Transport | null} */
    this.current = null;
    /** @private */
    this.opened = false; // the current transport delivered its hello
    /** @private */
    this.everOpened = false;
    /** @private @type {TransportName[]} transports left to try in this round */
    this.round = [];
    /** @private @type {Record<'hello' | 'liveness' | 'reconnect', unknown>} */
    this.timers = { hello: null, liveness: null, reconnect: null };
    // Start after the caller had a chance to add listeners.
    Promise.resolve().then(() => this.startRound());
  }

  /**
   * The session id of the latest `hello`, or null.
   * @returns {string | null}
   */
  get session() {
    return this.hello ? this.hello.session : null;
  }

  /**
   * Publishes `body` to the exchange `lasthop.inbound` with `routingKey`. Settles with the edge's
   * answer; a send made while disconnected goes out on the next connection, and one left
   * unanswered by a lost connection is sent again with the same message id.
   * @param {string} routingKey
   * @param {unknown} body a JSON value, or bytes (Uint8Array, ArrayBuffer)
   * @param {{id?: string, text?: boolean}} [options] `id`: the AMQP message_id (default: a new
   *   UUID); `text`: send a string as text/plain
   * @returns {Promise<void>}
   */
  send(routingKey, body, options = {}) {
    if (typeof routingKey !== 'string' || routingKey === '') {
      return Promise.reject(new TypeError('send needs a routing key'));
    }
    return this.request(() => ({ t: 'send', key: routingKey, id: options.id ?? newId(), ...encodeBody(body, options) }));
  }

  /**
   * Binds this session to a topic pattern. The subscription is kept and renewed on every
   * connection until `unsubscribe`.
   * @param {string} topic
   * @returns {Promise<void>}
   */
  subscribe(topic) {
    this.topics.add(topic);
    return this.request(() => ({ t: 'sub', topic })).catch((error) => {
      if (error.code !== 'timeout' && error.code !== 'closed') this.topics.delete(topic);
      throw error;
    });
  }

  /**
   * @param {string} topic
   * @returns {Promise<void>}
   */
  unsubscribe(topic) {
    this.topics.delete(topic);
    return this.request(() => ({ t: 'unsub', topic }));
  }

  /** Acks what was handled, ends the connection and stops reconnecting. */
  close() {
    if (this.state === 'closed') return;
    this.acks.flush();
    this.shutDown(new LasthopError('closed', 'the client was closed'));
  }

  // ---- connection lifecycle -------------------------------------------------------------------

  /** @private */
  startRound() {
    if (this.state === 'closed') return;
    this.round = this.negotiator.round();
    if (this.round.length === 0) {
      this.stop(new LasthopError('no_transport', 'no transport is both allowed and supported here'));
      return;
    }
    this.attemptNext(undefined);
  }

  /**
   * @private
   * @param {LasthopError | undefined} lastError
   */
  async attemptNext(lastError) {
    const name = this.round.shift();
    if (!name) {
      const error = new LasthopError('network', 'no transport reached the edge', { cause: lastError });
      this.emitError(error);
      this.scheduleReconnect({ error });
      return;
    }
    this.setState(this.everOpened ? 'reconnecting' : 'connecting', name);
    let token;
    try {
      token = await this.tokens.get();
    } catch (error) {
      this.emitError(/** @type {LasthopError} */ (error));
      this.scheduleReconnect({ error: /** @type {LasthopError} */ (error) });
      return;
    }
    if (this.state === 'closed' || !token) return;
    /** @type {import('./transports/transport.js').Transport} */
    let transport;
    const mine = () => transport === this.current;
    transport = new TRANSPORTS[name]({
      env: this.env,
      endpoints: this.endpoints,
      token: () => this.tokens.current(),
      session: this.sessions.get(),
      handlers: {
        onFrame: (frame) => (mine() ? this.onFrame(frame) : undefined),
        onActivity: () => mine() && this.armLiveness(),
        onClose: (info) => mine() && this.onTransportEnded(info),
        onError: (error) => mine() && this.emitError(error),
        flush: () => mine() && this.acks.flush(),
      },
    });
    this.current = transport;
    this.opened = false;
    this.timers.hello = this.env.timers.setTimeout(() => {
      const error = new LasthopError('timeout', `no hello over ${name} within ${this.options.helloTimeoutMs} ms`);
      this.detach();
      this.attemptNext(error);
    }, this.options.helloTimeoutMs);
    transport.open();
  }

  /**
   * @private
   * @param {import('./transports/transport.js').CloseInfo} info
   */
  onTransportEnded({ error, code }) {
    const wasOpen = this.opened;
    this.detach();
    if (code !== undefined && code >= 4000) {
      // A WebSocket close code without the close frame before it: same policy.
      const reason = error.serverCode;
      this.act(afterClose(code), new LasthopError(clientCode(reason), error.message, { serverCode: reason, closeCode: code }));
      return;
    }
    const decision = afterHttpError(error);
    if (decision) {
      if (decision.action !== 'refresh' || this.tokens.refreshable) this.emitError(error);
      this.act(decision, error);
    } else if (wasOpen) {
      this.act({ action: 'resume' }, error);
    } else {
      this.attemptNext(error); // this transport does not work here: try the next one
    }
  }

  /**
   * @private
   * @param {import('./close-policy.js').Decision} decision
   * @param {LasthopError} error
   */
  act(decision, error) {
    if (decision.action === 'stop') {
      this.stop(error);
      return;
    }
    if (decision.action === 'refresh' && !this.tokens.refreshable) {
      this.stop(new LasthopError('auth', `${error.message}; the token is a fixed string, pass a function to refresh it`, {
        serverCode: error.serverCode,
        status: error.status,
        closeCode: error.closeCode,
      }));
      return;
    }
    if (decision.action === 'new-session') this.sessions.set(null);
    this.scheduleReconnect({ ...decision, refresh: decision.action === 'refresh', error });
  }

  /**
   * @private
   * @param {{delayMs?: number, minDelayMs?: number, refresh?: boolean, error?: LasthopError}} plan
   */
  scheduleReconnect({ delayMs, minDelayMs = 0, refresh = false, error }) {
    const delay = delayMs ?? Math.max(minDelayMs, this.backoff.next());
    this.setState(this.everOpened ? 'reconnecting' : 'connecting', null, { delayMs: delay, error }, true);
    this.timers.reconnect = this.env.timers.setTimeout(async () => {
      this.timers.reconnect = null;
      if (refresh) {
        try {
          await this.tokens.refresh('refused');
        } catch (e) {
          this.emitError(/** @type {LasthopError} */ (e));
          this.scheduleReconnect({ refresh: true });
          return;
        }
      }
      this.startRound();
    }, delay);
  }

  /**
   * Drops the current transport without acting on it.
   * @private
   */
  detach() {
    this.clearTimer('hello');
    this.clearTimer('liveness');
    const transport = this.current;
    this.current = null;
    this.opened = false;
    this.epoch++;
    this.acks.reset();
    transport?.close();
  }

  /**
   * @private
   * @param {LasthopError} error
   */
  stop(error) {
    if (error.code === 'session_taken_over') this.sessions.set(null); // the session is someone else's now
    this.emitError(error);
    this.shutDown(error);
  }

  /**
   * @private
   * @param {LasthopError} reason
   */
  shutDown(reason) {
    this.detach();
    this.clearTimer('reconnect');
    this.tokens.stop();
    this.requests.failAll(new LasthopError('closed', 'the client is closed', { cause: reason }));
    this.setState('closed', null, reason.code === 'closed' ? {} : { error: reason });
  }

  /** @private */
  armLiveness() {
    if (!this.opened || !this.hello) return;
    this.clearTimer('liveness');
    const limit = 3 * (this.hello.heartbeatMs || 25000);
    this.timers.liveness = this.env.timers.setTimeout(() => {
      this.detach();
      this.act({ action: 'resume' }, new LasthopError('timeout', `nothing from the edge for ${limit} ms`));
    }, limit);
  }

  // ---- frames -----------------------------------------------------------------------------

  /**
   * @private
   * @param {Record<string, any>} frame
   * @returns {Promise<void> | void}
   */
  onFrame(frame) {
    if (frame.t === 'hello') return this.onHello(frame);
    if (!this.opened) {
      this.onTransportEnded({ error: new LasthopError('protocol', `"${frame.t}" before hello`) });
      return;
    }
    switch (frame.t) {
      case 'msg':
        return this.inbox.push(frame, this.epoch);
      case 'ping':
        if (/** @type {any} */ (this.current?.constructor).answersPings) this.write({ t: 'pong' });
        return;
      case 'ok':
        this.requests.answer(frame);
        return;
      case 'error':
        if (!this.requests.answer(frame)) this.emitError(fromErrorFrame(frame));
        return;
      case 'close':
        this.onCloseFrame(frame);
        return;
      default:
        return; // pong, auth_ok, and frames from newer protocol versions
    }
  }

  /**
   * @private
   * @param {Record<string, any>} hello
   */
  onHello(hello) {
    const transport = /** @type {import('./transports/transport.js').Transport} */ (this.current);
    this.clearTimer('hello');
    if (!this.opened) {
      this.opened = true;
      this.everOpened = true;
      this.backoff.reset();
      this.negotiator.succeeded(transport.name);
    }
    this.hello = hello;
    this.epoch++;
    this.acks.reset();
    this.sessions.set(hello.session);
    this.armLiveness();
    this.setState('open', transport.name, { session: hello.session, resumed: hello.resumed === true }, true);
    // Recorded topology first, then what the app asked for meanwhile, in its order.
    const backlog = this.requests.nextRef;
    for (const topic of this.topics) {
      if (!this.requests.some((f) => f.t === 'sub' && f.topic === topic)) {
        this.request(() => ({ t: 'sub', topic })).catch((error) => this.emitError(error));
      }
    }
    this.requests.replay(backlog);
  }

  /**
   * @private
   * @param {Record<string, any>} frame
   */
  onCloseFrame(frame) {
    const code = Number(frame.code);
    const error = new LasthopError(clientCode(frame.reason), frame.message || `closed by the edge (${code})`, {
      serverCode: frame.reason,
      closeCode: code,
    });
    this.detach();
    if (code === 4101) this.emitError(error); // the old session's messages are gone
    this.act(afterClose(code, frame.reconnectAfterMs), error);
  }

  /**
   * Hands one delivery to the app and waits for async handlers. Never rejects.
   * @private
   * @param {Record<string, any>} frame
   */
  async dispatch(frame) {
    if (this.state === 'closed') return;
    const message = new Message(frame, (token, body, options) =>
      this.request(() => ({ t: 'reply', token, ...encodeBody(body, options) })),
    );
    const { results, errors } = this.emit('message', message);
    const pending = results.filter((r) => r && typeof (/** @type {any} */ (r).then) === 'function');
    for (const outcome of await Promise.allSettled(pending)) {
      if (outcome.status === 'rejected') errors.push(outcome.reason);
    }
    for (const cause of errors) {
      this.emitError(new LasthopError('handler', `a message handler failed on ${message.id}`, { cause }));
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * @private
   * @param {() => Record<string, unknown> & {t: string}} build the frame without `ref`
   * @returns {Promise<void>}
   */
  request(build) {
    if (this.state === 'closed') return Promise.reject(new LasthopError('closed', 'the client is closed'));
    try {
      return this.requests.request(build());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Writes a frame on the open connection.
   * @private
   * @param {Record<string, unknown>} frame
   * @returns {boolean} false when no connection is open
   */
  write(frame) {
    return this.opened && this.current !== null && this.current.send([frame]);
  }

  /**
   * @private
   * @param {ConnectionState} state
   * @param {TransportName | null} transport
   * @param {Partial<StateChange>} [extra]
   * @param {boolean} [always] emit even when neither state nor transport changed (a new hello,
   *   another reconnect delay)
   */
  setState(state, transport, extra = {}, always = false) {
    const previous = this.state;
    if (previous === 'closed') return;
    if (!always && previous === state && this.transport === transport) return;
    this.state = state;
    this.transport = transport;
    this.emit('state', { state, transport, previous, ...extra });
  }

  /**
   * @private
   * @param {LasthopError} error
   */
  emitError(error) {
    this.emit('error', error);
  }

  /**
   * @private
   * @param {'hello' | 'liveness' | 'reconnect'} name
   */
  clearTimer(name) {
    if (this.timers[name] !== null) {
      this.env.timers.clearTimeout(this.timers[name]);
      this.timers[name] = null;
    }
  }
}

/** A message id for a send, kept across its retries. */
function newId() {
  const crypto = /** @type {any} */ (globalThis).crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
