import { Backoff } from './backoff.js';
import { Connector } from './connector.js';
import { DedupeWindow } from './dedupe-window.js';
import { DirectLink } from './direct-link.js';
import { Emitter } from './emitter.js';
import { Endpoints } from './endpoints.js';
import { resolveEnvironment } from './env.js';
import { LasthopError, fromErrorFrame } from './errors.js';
import { Inbox } from './inbox.js';
import { Message, encodeBody } from './message.js';
import { Negotiator } from './negotiator.js';
import { RequestTracker } from './request-tracker.js';
import { TabLink, shareKey } from './share/tab-link.js';
import { matchesAny } from './share/topic-match.js';
import { SessionStore, TransportMemory } from './storage.js';
import { TokenSource } from './token-source.js';
import { TRANSPORTS } from './transports/index.js';

/**
 * @typedef {import('./negotiator.js').TransportName} TransportName
 * @typedef {import('./connector.js').ConnectionState} ConnectionState
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
 * @typedef {object} ShareInfo
 * @property {'leader' | 'follower' | 'alone'} role leader: this tab holds the shared connection;
 *   follower: another tab does; alone: this tab does not share (`share: false`, or no Web Locks)
 * @property {number} tabs how many tabs share the session, this one included
 *
 * @typedef {object} ClientEvents
 * @property {Message} message a delivery; a handler may return a promise, and the ack waits for it
 * @property {StateChange} state
 * @property {LasthopError} error
 * @property {ShareInfo} share which tab holds the connection, and how many share it
 * @property {GapInfo} gap a new session replaced one whose messages may be missing: resynchronise
 *
 * @typedef {object} GapInfo
 * @property {string} session the new session
 * @property {string | undefined} previousSession the session that is gone
 * @property {string} reason `session_expired` or `session_lost`
 *
 * @typedef {object} ClientOptions
 * @property {import('./token-source.js').TokenOption} token a JWT, or a function returning one
 *   (maybe async); the function is called again before the token's `exp`
 * @property {readonly TransportName[]} [transports] only these, in this order
 * @property {readonly TransportName[]} [exclude] never these
 * @property {number} [helloTimeoutMs] how long a transport may take to deliver `hello`
 * @property {number} [pollTimeoutMs] how long one long-poll may go unanswered; longer than the
 *   edge's `poll.timeout` (20 s)
 * @property {number} [backoffBaseMs] first reconnect delay ceiling
 * @property {number} [backoffCapMs] largest reconnect delay
 * @property {number} [ackDelayMs] longest wait before a batched ack goes out
 * @property {number} [ackBatchSize] send the ack at once when this many deliveries are unacked
 * @property {number} [dedupeWindow] how many message ids to remember for de-duplication
 * @property {number} [requestTimeoutMs] how long send/reply/subscribe wait for `ok`
 * @property {number} [tokenRefreshMarginMs] refresh the token this long before its `exp`
 * @property {number} [rememberTransportMs] how long the working transport is preferred
 * @property {string} [pageUrl] base for a relative edge URL; defaults to `location.href`
 * @property {boolean} [share] share one session and connection with the other tabs of this
 *   origin and user (Web Locks and BroadcastChannel); default true where both exist
 * @property {number} [shareAckTimeoutMs] the longest a shared connection's leader holds an ack
 *   back for a tab that has not handled the delivery (a frozen or very slow tab)
 * @property {number} [shareBacklog] the most deliveries a tab queues for its handler; past it,
 *   a tab that fell that far behind a shared connection drops new ones (error `lagged`)
 */

/** @type {Required<Omit<ClientOptions, 'token' | 'transports' | 'exclude' | 'pageUrl'>>} */
const DEFAULTS = {
  helloTimeoutMs: 10000,
  pollTimeoutMs: 30000,
  backoffBaseMs: 500,
  backoffCapMs: 30000,
  ackDelayMs: 100,
  ackBatchSize: 32,
  dedupeWindow: 1000,
  requestTimeoutMs: 30000,
  tokenRefreshMarginMs: 30000,
  rememberTransportMs: 24 * 60 * 60 * 1000,
  share: true,
  shareAckTimeoutMs: 5000,
  shareBacklog: 5000,
};

/**
 * A connection to a Lasthop edge that stays up: it negotiates a transport, resumes its session
 * after every drop, acks what the app handled and drops redeliveries. Create it with `connect`.
 * @extends {Emitter<ClientEvents>}
 */
export class LasthopClient extends Emitter {
  /**
   * @param {string | readonly string[]} url the edge's base URL (where `/lasthop/...` lives), or
   *   several, tried in order
   * @param {ClientOptions & import('./env.js').EnvironmentOptions & import('./share/tab-link.js').ShareEnvironment} options
   */
  constructor(url, options) {
    super();
    const o = { ...DEFAULTS, ...options };
    const env = resolveEnvironment(options);
    const timers = env.timers;
    const urls = typeof url === 'string' ? [url] : [...url];
    if (urls.length === 0) throw new TypeError('connect needs at least one edge URL');
    const endpoints = urls.map((u) => new Endpoints(u, o.pageUrl ?? globalThis.location?.href));
    /** the edge URLs as one key: a session may be resumed on any of them */
    const edgeKey = endpoints.map((e) => e.base).join(' ');
    /** @private */
    this.env = env;
    /** @private */
    this.options = o;
    /** @private */
    this.tokens = new TokenSource({
      token: o.token,
      timers,
      now: env.now,
      marginMs: o.tokenRefreshMarginMs,
      onRefreshed: (token) => this.link?.refreshed(token),
      onError: (error) => this.emitError(error),
    });
    /** @private Counts the connections seen; a renewal is retried on the same one only. */
    this.epoch = 0;
    /** @private */
    this.inbox = new Inbox({
      dedupe: new DedupeWindow(o.dedupeWindow),
      dispatch: (frame) => this.dispatch(frame),
      handled: (seq, epoch) => this.link?.handled(epoch, seq),
      onLagged: (frame) => this.emitError(new LasthopError('lagged',
        `this tab fell ${o.shareBacklog} deliveries behind the shared connection; dropping from ${frame.id} on`)),
    });
    /** @private */
    this.requests = new RequestTracker({ write: (frame) => this.link?.request(frame) ?? false, timers, timeoutMs: o.requestTimeoutMs });
    /**
     * @private
     * @type {Set<string>} topics to hold, renewed on every connection
     */
    this.topics = new Set();
    /** @type {ConnectionState} */
    this.state = 'connecting';
    /** @type {TransportName | null} the transport in use or being tried */
    this.transport = null;
    /** @type {Record<string, any> | null} the latest `hello` */
    this.hello = null;
    /** @type {ShareInfo['role']} */
    this.role = 'alone';
    /** @type {number} tabs sharing the session, this one included */
    this.tabs = 1;
    /** @private whether the delivered topics are filtered by this tab's own subscriptions */
    this.filtering = false;
    /** @private @type {import('./direct-link.js').Link | null} */
    this.link = null;
    /** @type {import('./direct-link.js').LinkListener} */
    const listener = {
      state: (state, transport, extra, always) => this.setState(state, transport, extra, always),
      opened: (hello, transport) => this.onOpened(hello, transport),
      rejoined: () => this.onRejoined(),
      frame: (frame, epoch) => this.onFrame(frame, epoch),
      answer: (ref, error) => this.requests.settle(ref, error),
      error: (error) => this.emitError(error),
      stopped: (error) => this.onStopped(error),
      share: (info) => this.onShare(info),
    };
    /**
     * A connector to the edge for `listener`, with the session kept in `sessions`.
     * @param {import('./connector.js').ConnectorListener} connectorListener
     * @param {SessionStore} sessions
     */
    const connector = (connectorListener, sessions) => new Connector({
      env,
      endpoints,
      tokens: this.tokens,
      sessions,
      negotiators: endpoints.map((e) => new Negotiator({
        transports: o.transports,
        exclude: o.exclude,
        available: (name) => TRANSPORTS[name].available(env),
        memory: new TransportMemory(env.localStorage, e.origin, env.now, o.rememberTransportMs),
      })),
      backoff: new Backoff({ baseMs: o.backoffBaseMs, capMs: o.backoffCapMs, random: env.random }),
      helloTimeoutMs: o.helloTimeoutMs,
      pollTimeoutMs: o.pollTimeoutMs,
      listener: connectorListener,
    });
    const direct = () => new DirectLink({
      connector: (l) => connector(l, new SessionStore(env.sessionStorage, edgeKey)),
      timers,
      ackDelayMs: o.ackDelayMs,
      ackBatchSize: o.ackBatchSize,
      listener,
    });
    /** @private */
    this.openLink = async () => {
      const share = o.share ? await this.shareKey(edgeKey) : null;
      if (this.state === 'closed') return;
      if (!share) {
        this.link = direct();
        this.link.start();
      } else {
        this.filtering = true;
        this.inbox.maxBacklog = o.shareBacklog; // only a shared session acks ahead of a tab
        this.link = new TabLink({
          env,
          share,
          locks: share.locks,
          BroadcastChannel: share.BroadcastChannel,
          hub: {
            connector: (l) => connector(l, new SessionStore(env.localStorage, `${edgeKey} ${share.key}`)),
            timers,
            now: env.now,
            random: env.random,
            ackDelayMs: o.ackDelayMs,
            ackBatchSize: o.ackBatchSize,
            ackTimeoutMs: o.shareAckTimeoutMs,
            requestTimeoutMs: o.requestTimeoutMs,
          },
          user: (token) => shareKey(token, edgeKey),
          onUserChanged: () => {
            // Nothing of the previous user's goes on under the new one: neither what it asked
            // nor what it was sent.
            this.link?.close();
            this.link = null;
            this.inbox.clear();
            this.requests.failAll(new LasthopError('auth', 'the user changed before the edge answered'));
            this.openLink();
          },
          listener,
        });
        const tabs = this.link;
        const closed = () => /** @type {string} */ (this.state) === 'closed';
        if (!(await tabs.start()) && this.link === tabs && !closed()) {
          this.filtering = false; // this page cannot share: a connection of its own
          this.inbox.maxBacklog = Infinity;
          this.link = direct();
          this.link.start();
        }
      }
    };
    // Start after the caller had a chance to add listeners.
    Promise.resolve().then(() => this.openLink());
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
      if (FINAL_SUB_REFUSALS.has(error.code)) this.topics.delete(topic);
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

  /**
   * Acks what was handled, ends the connection and stops reconnecting. In a shared session,
   * this tab leaves it; if it held the connection, another tab takes it over.
   */
  close() {
    if (this.state === 'closed') return;
    this.onStopped(new LasthopError('closed', 'the client was closed'));
  }

  // ---- what the connector reports -------------------------------------------------------------

  /**
   * @private
   * @param {Record<string, any>} hello
   * @param {TransportName} transport
   */
  onOpened(hello, transport) {
    this.hello = hello;
    this.epoch++;
    this.setState('open', transport, { session: hello.session, resumed: hello.resumed === true }, true);
    if (hello.gap) this.emit('gap', { session: hello.session, ...hello.gap });
  }

  /**
   * A new connection, or a new leader of the shared one: what it does not know yet goes again.
   * @private
   */
  onRejoined() {
    // Recorded topology first, then what the app asked for meanwhile, in its order.
    const backlog = this.requests.nextRef;
    for (const topic of this.topics) {
      if (!this.requests.some((f) => f.t === 'sub' && f.topic === topic)) this.renew(topic);
    }
    this.requests.replay(backlog);
  }

  /**
   * @private
   * @param {Record<string, any>} frame
   * @param {unknown} epoch
   * @returns {Promise<void> | void}
   */
  onFrame(frame, epoch) {
    switch (frame.t) {
      case 'msg':
        return this.inbox.push(frame, epoch);
      case 'ok':
        this.requests.answer(frame);
        return;
      case 'error':
        if (!this.requests.answer(frame)) this.emitError(fromErrorFrame(frame));
        return;
      default:
        return; // pong, auth_ok, and frames from newer protocol versions
    }
  }

  /**
   * @private
   * @param {{role: 'leader' | 'follower', tabs: number}} info
   */
  onShare({ role, tabs }) {
    if (this.state === 'closed' || (role === this.role && tabs === this.tabs)) return;
    this.role = role;
    this.tabs = tabs;
    this.emit('share', { role, tabs });
  }

  /**
   * The key of the group of tabs to share with: the edge URLs and the token's user. Null when
   * this environment cannot share, or the token names no user.
   * @private
   * @param {string} edgeKey
   */
  async shareKey(edgeKey) {
    const locks = this.options.locks !== undefined ? this.options.locks : globalThis.navigator?.locks;
    const Channel = 'BroadcastChannel' in this.options ? this.options.BroadcastChannel : globalThis.BroadcastChannel;
    if (!locks || typeof locks.request !== 'function' || typeof Channel !== 'function') return null;
    let token;
    try {
      token = await this.tokens.get();
    } catch {
      return null; // the connector asks again, and reports the failure
    }
    const key = shareKey(token, edgeKey);
    return key === null ? null : { key, locks, BroadcastChannel: Channel };
  }

  /**
   * @private
   * @param {LasthopError} reason
   */
  onStopped(reason) {
    if (this.state === 'closed') return;
    if (reason.code !== 'closed') this.emitError(reason);
    this.link?.close();
    this.tokens.stop();
    this.requests.failAll(new LasthopError('closed', 'the client is closed', { cause: reason }));
    this.setState('closed', null, reason.code === 'closed' ? {} : { error: reason });
  }

  /**
   * Subscribes again to a held topic on a new connection (PROTOCOL.md §8: idempotent, and it
   * counts the topic on this connection). Many topics at once can exceed the request burst, and
   * a session re-attaching answers `unavailable`: those are retried after a second or two.
   * @private
   * @param {string} topic
   */
  renew(topic) {
    const epoch = this.epoch;
    this.request(() => ({ t: 'sub', topic })).catch((error) => {
      if (FINAL_SUB_REFUSALS.has(error.code)) this.topics.delete(topic);
      if (error.code === 'closed') return;
      if (error.code !== 'rate_limited' && error.code !== 'unavailable') {
        this.emitError(error);
        return;
      }
      this.env.timers.setTimeout(() => {
        if (this.epoch === epoch && this.state === 'open' && this.topics.has(topic)) this.renew(topic);
      }, 1000 + Math.floor(this.env.random() * 1000));
    });
  }

  /**
   * Hands one delivery to the app and waits for async handlers. Never rejects.
   * @private
   * @param {Record<string, any>} frame
   */
  async dispatch(frame) {
    if (this.state === 'closed') return;
    // A shared session holds the topics of every tab: show this tab only its own.
    if (this.filtering && frame.exchange === 'lasthop.topic' && !matchesAny(this.topics, frame.key)) return;
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
}

/** Refusals of a `sub` that retrying cannot fix: the topic is dropped from the held set. */
const FINAL_SUB_REFUSALS = new Set(['forbidden', 'bad_key', 'too_many_subscriptions']);

/** A message id for a send, kept across its retries. */
function newId() {
  const crypto = /** @type {any} */ (globalThis).crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
