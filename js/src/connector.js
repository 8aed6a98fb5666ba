import { afterClose, afterHttpError } from './close-policy.js';
import { LasthopError, clientCode } from './errors.js';
import { TRANSPORTS } from './transports/index.js';

/**
 * @typedef {import('./negotiator.js').TransportName} TransportName
 * @typedef {import('./transports/transport.js').Transport} Transport
 * @typedef {'connecting' | 'open' | 'reconnecting' | 'closed'} ConnectionState
 *
 * @typedef {object} ConnectorListener what the client hears from its connector
 * @property {(state: ConnectionState, transport: TransportName | null, extra: Record<string, unknown>) => void} state
 * @property {(hello: Record<string, any>, transport: TransportName) => void} opened a `hello`
 *   arrived: the first of a transport, or a new connection on the same one (long-polling)
 * @property {(frame: Record<string, any>) => Promise<void> | void} frame any frame after `hello`
 *   except `ping` and `close`, which the connector handles
 * @property {() => void} detached the connection is gone; per-connection state is void
 * @property {() => void} flush write what is held back (batched acks) now
 * @property {(error: LasthopError) => void} error a failure worth reporting; connecting goes on
 * @property {(error: LasthopError) => void} stopped a terminal failure: nothing more will happen
 */

/**
 * Keeps one transport connected to the edge: tries the transports of a negotiation round in
 * order (each gets `helloTimeoutMs` to deliver `hello`), watches for a silent edge (3 heartbeats),
 * and after every end decides by the close policy whether to resume, refresh the token, start a
 * new session or stop, waiting out a full-jitter backoff in between.
 *
 * Given several edge URLs (nodes without a load balancer in front), it stays on the one that
 * works and moves to the next, in order and wrapping around, when a whole round failed, when the
 * node refused for now (429, 503) or when it is going away (4000). A `Retry-After` holds back
 * only the URL that sent it.
 */
export class Connector {
  /**
   * @param {object} options
   * @param {import('./env.js').Environment} options.env
   * @param {import('./endpoints.js').Endpoints[]} options.endpoints the edge URLs, in the order to try
   * @param {import('./token-source.js').TokenSource} options.tokens
   * @param {import('./storage.js').SessionStore} options.sessions
   * @param {import('./negotiator.js').Negotiator[]} options.negotiators one per URL (the
   *   transport that worked is remembered per origin)
   * @param {import('./backoff.js').Backoff} options.backoff
   * @param {number} options.helloTimeoutMs
   * @param {number} options.pollTimeoutMs
   * @param {ConnectorListener} options.listener
   */
  constructor({ env, endpoints, tokens, sessions, negotiators, backoff, helloTimeoutMs, pollTimeoutMs, listener }) {
    if (endpoints.length === 0 || endpoints.length !== negotiators.length) throw new TypeError('one negotiator per edge URL');
    this.env = env;
    this.urls = endpoints;
    this.negotiators = negotiators;
    /** the index of the URL in use or being tried */
    this.at = 0;
    /** @type {number[]} per URL: epoch ms before which its Retry-After says not to come back */
    this.notBefore = endpoints.map(() => 0);
    this.tokens = tokens;
    this.sessions = sessions;
    this.backoff = backoff;
    this.helloTimeoutMs = helloTimeoutMs;
    this.pollTimeoutMs = pollTimeoutMs;
    this.listener = listener;
    /** @type {Transport | null} */
    this.current = null;
    this.opened = false; // the current transport delivered its hello
    this.everOpened = false;
    this.stopped = false;
    /** @type {Record<string, any> | null} */
    this.hello = null;
    /** @type {{session: string | undefined, reason: string} | null} a session the edge said is gone */
    this.gapFrom = null;
    /** @type {TransportName[]} transports left to try in this round */
    this.round = [];
    /** @type {Record<'hello' | 'liveness' | 'reconnect', unknown>} */
    this.timers = { hello: null, liveness: null, reconnect: null };
    /** @type {TransportName | null} the transport of the latest attempt */
    this.lastTried = null;
    /** whether this round retries a transport that the edge refused for now */
    this.retrying = false;
    /** the latest refusal was `token_revoked`, and a fresh token is being tried */
    this.revokedOnce = false;
  }

  /** The URL in use or being tried. */
  get endpoints() {
    return this.urls[this.at];
  }

  /** @private */
  get negotiator() {
    return this.negotiators[this.at];
  }

  /**
   * Moves to the next URL, if there is more than one.
   * @private
   * @returns {boolean} whether it moved
   */
  nextUrl() {
    if (this.urls.length < 2) return false;
    this.at = (this.at + 1) % this.urls.length;
    return true;
  }

  /**
   * Starts a negotiation round.
   * @param {TransportName} [retrying] a transport the edge refused for now (429, 503): the round
   *   starts with it and goes on with those that came after it, so the transports before it,
   *   which failed without a readable answer, are not tried again for nothing
   */
  start(retrying) {
    if (this.stopped) return;
    this.retrying = retrying !== undefined;
    this.round = this.negotiator.round();
    if (retrying && this.round.includes(retrying)) this.round = this.round.slice(this.round.indexOf(retrying));
    if (this.round.length === 0) {
      this.stop(new LasthopError('no_transport', 'no transport is both allowed and supported here'));
      return;
    }
    this.attemptNext(undefined);
  }

  /**
   * Writes a frame on the open connection.
   * @param {Record<string, unknown>} frame
   * @returns {boolean} false when no connection is open
   */
  write(frame) {
    return this.opened && this.current !== null && this.current.send([frame]);
  }

  /** Ends the connection and stops reconnecting, on the app's request. */
  close() {
    this.stopped = true;
    this.detach();
    this.clearTimer('reconnect');
  }

  /**
   * @private
   * @param {LasthopError | undefined} lastError
   */
  async attemptNext(lastError) {
    const name = this.round.shift();
    if (!name) {
      const error = new LasthopError('network', `no transport reached the edge at ${this.endpoints.base}`, { cause: lastError });
      this.listener.error(error);
      this.nextUrl();
      this.scheduleReconnect({ error });
      return;
    }
    this.lastTried = name;
    this.listener.state(this.everOpened ? 'reconnecting' : 'connecting', name, {});
    try {
      await this.tokens.get();
    } catch (error) {
      this.listener.error(/** @type {LasthopError} */ (error));
      this.scheduleReconnect({ error: /** @type {LasthopError} */ (error) });
      return;
    }
    if (this.stopped) return;
    /** @type {Transport} */
    let transport;
    const mine = () => transport === this.current;
    transport = new TRANSPORTS[name]({
      env: this.env,
      endpoints: this.endpoints,
      token: () => this.tokens.current(),
      resume: this.sessions.get(),
      pollTimeoutMs: this.pollTimeoutMs,
      handlers: {
        onFrame: (frame) => (mine() ? this.onFrame(frame) : undefined),
        onActivity: () => mine() && this.armLiveness(),
        onClose: (info) => mine() && this.onTransportEnded(info),
        onError: (error) => mine() && this.listener.error(error),
        flush: () => mine() && this.listener.flush(),
      },
    });
    this.current = transport;
    this.opened = false;
    if (!TRANSPORTS[name].timesItself) {
      this.timers.hello = this.env.timers.setTimeout(() => {
        this.detach();
        this.attemptNext(new LasthopError('timeout', `no hello over ${name} within ${this.helloTimeoutMs} ms`));
      }, this.helloTimeoutMs);
    }
    transport.open();
  }

  /**
   * @private
   * @param {Record<string, any>} frame
   * @returns {Promise<void> | void}
   */
  onFrame(frame) {
    if (frame.t === 'hello') {
      this.onHello(frame);
      return;
    }
    if (!this.opened) {
      this.onTransportEnded({ error: new LasthopError('protocol', `"${frame.t}" before hello`) });
      return;
    }
    if (frame.t === 'ping') {
      if (this.current && transportClass(this.current).answersPings) this.write({ t: 'pong' });
      return;
    }
    if (frame.t === 'close') {
      this.onCloseFrame(frame);
      return;
    }
    return this.listener.frame(frame);
  }

  /**
   * @private
   * @param {Record<string, any>} hello
   */
  onHello(hello) {
    const transport = /** @type {Transport} */ (this.current);
    this.clearTimer('hello');
    if (!this.opened) {
      this.opened = true;
      this.everOpened = true;
      this.revokedOnce = false;
      this.backoff.reset();
      // A retry round skipped the transports before the refused one: it proves nothing about them.
      if (!this.retrying) this.negotiator.succeeded(transport.name);
    }
    // A session asked for and not resumed, or one the edge said was lost: messages may be missing.
    const asked = this.sessions.get();
    const lost = this.gapFrom ?? (asked?.session && hello.resumed !== true
      ? { session: asked.session, reason: 'session_expired' } : null);
    this.gapFrom = null;
    if (lost) hello.gap = { previousSession: lost.session, reason: lost.reason };
    this.hello = hello;
    this.sessions.set(/** @type {{session: string, connection?: string, node?: string}} */ (hello));
    this.armLiveness();
    this.listener.opened(hello, transport.name);
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
    if (code === 4101 || code === 4102) {
      this.listener.error(error); // the old session's messages are gone, or with its broker node
      this.gapFrom = { session: this.hello?.session, reason: frame.reason };
    }
    if (code === 4000) this.nextUrl(); // this node is draining: another one, ideally (PROTOCOL.md §9)
    this.act(afterClose(code, frame.reconnectAfterMs), error);
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
    if (decision && error.serverCode === 'token_revoked' && (this.revokedOnce || !this.tokens.refreshable)) {
      // A token minted after the revocation was refused too: the user is cut off, and asking
      // the app for yet another token would loop.
      this.stop(new LasthopError('revoked', error.message, { serverCode: error.serverCode, status: error.status }));
      return;
    }
    if (decision) this.revokedOnce = error.serverCode === 'token_revoked';
    if (decision) {
      if (decision.action !== 'refresh' || this.tokens.refreshable) this.listener.error(error);
      if (decision.retry && decision.minDelayMs !== undefined) {
        this.notBefore[this.at] = this.env.now() + decision.minDelayMs;
      }
      // Refused for now: another node may take us at once; with one URL, the same transport again.
      if (decision.retry) {
        const { minDelayMs, ...rest } = decision; // kept in notBefore, for this URL only
        this.act(this.nextUrl() ? rest : { ...rest, transport: this.lastTried ?? undefined }, error);
      } else {
        this.act(decision, error);
      }
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
    if (decision.action === 'new-session') this.sessions.clear();
    this.scheduleReconnect({ ...decision, refresh: decision.action === 'refresh', error });
  }

  /**
   * Waits, then starts the next round. A Retry-After comes first and the backoff delay on top, so
   * that clients refused together do not all come back in the same millisecond.
   * @private
   * @param {{delayMs?: number, minDelayMs?: number, refresh?: boolean, transport?: TransportName,
   *   error?: LasthopError}} plan `transport`: the round starts with it (it was refused for now)
   */
  scheduleReconnect({ delayMs, minDelayMs = 0, refresh = false, transport, error }) {
    if (this.stopped) return;
    const wait = Math.max(minDelayMs, this.notBefore[this.at] - this.env.now());
    const delay = delayMs ?? wait + this.backoff.next();
    this.listener.state(this.everOpened ? 'reconnecting' : 'connecting', null, { delayMs: delay, error });
    this.timers.reconnect = this.env.timers.setTimeout(async () => {
      this.timers.reconnect = null;
      if (refresh) {
        try {
          await this.tokens.refresh('refused');
        } catch (e) {
          this.listener.error(/** @type {LasthopError} */ (e));
          this.scheduleReconnect({ refresh: true });
          return;
        }
      }
      this.start(transport);
    }, delay);
  }

  /** @private */
  armLiveness() {
    if (!this.opened || !this.hello || !this.current || transportClass(this.current).timesItself) return;
    this.clearTimer('liveness');
    const limit = 3 * (this.hello.heartbeatMs || 25000);
    this.timers.liveness = this.env.timers.setTimeout(() => {
      this.detach();
      this.act({ action: 'resume' }, new LasthopError('timeout', `nothing from the edge for ${limit} ms`));
    }, limit);
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
    this.listener.detached();
    transport?.close();
  }

  /**
   * @private
   * @param {LasthopError} error
   */
  stop(error) {
    // The session is someone else's now, or cut off for good.
    if (error.code === 'session_taken_over' || error.code === 'revoked') this.sessions.clear();
    this.close();
    this.listener.stopped(error);
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

/**
 * @param {Transport} transport
 * @returns {typeof import('./transports/transport.js').Transport}
 */
function transportClass(transport) {
  return /** @type {any} */ (transport.constructor);
}
