import { DirectLink } from '../direct-link.js';
import { LasthopError, fromErrorFrame } from '../errors.js';
import { RequestTracker } from '../request-tracker.js';
import { AckGate } from './ack-gate.js';
import { errorToData, extraToData, names } from './wire.js';

/**
 * @typedef {object} HubOptions what the client gives the tab that leads
 * @property {(listener: import('../connector.js').ConnectorListener) => import('../connector.js').Connector} connector
 * @property {import('../env.js').Timers} timers
 * @property {() => number} now
 * @property {() => number} random
 * @property {number} ackDelayMs
 * @property {number} ackBatchSize
 * @property {number} ackTimeoutMs see AckGate
 * @property {number} requestTimeoutMs
 */

/** Refusals of a `sub` that retrying cannot fix: the topic leaves the union. */
const FINAL_SUB_REFUSALS = new Set(['forbidden', 'bad_key', 'too_many_subscriptions']);

/**
 * The shared connection, in the tab that leads: one connection for every tab of the group.
 * It relays each delivery to every tab, acks by the AckGate's rule, holds the union of the
 * tabs' topics on the session (subscribing a topic when its first tab wants it, unsubscribing
 * when its last tab leaves it or closes), and makes the tabs' requests on their behalf, sending
 * the edge's answer back to the tab that asked. A tab that closes or crashes is seen through its
 * Web Lock, which the browser releases with the tab.
 */
export class Hub {
  /**
   * @param {object} options
   * @param {string} options.id this tab's id
   * @param {string} options.key the group
   * @param {any} options.locks the LockManager
   * @param {(message: Record<string, unknown>) => Promise<void> | void} options.send to every
   *   tab, this one included (returns what this tab's delivery returns)
   * @param {HubOptions} options.hub
   */
  constructor({ id, key, locks, send, hub }) {
    this.id = id;
    this.key = key;
    this.locks = locks;
    this.send = send;
    this.timers = hub.timers;
    this.random = hub.random;
    this.gate = new AckGate({ timeoutMs: hub.ackTimeoutMs, now: hub.now });
    /** @type {Map<string, AbortController>} tabs, and how to stop watching their lock */
    this.members = new Map();
    /**
     * @type {Map<string, {members: Set<string>, bound: Promise<void> | null, pending: boolean}>}
     *   topic → the tabs that hold it, and its `sub` on the current connection
     */
    this.union = new Map();
    /** the epoch of the connection in the link, and as tabs see it (unique across leaders) */
    this.linkEpoch = 0;
    /** @type {string | null} */
    this.epoch = null;
    /** @type {{state: string, transport: string | null, extra: Record<string, any>}} */
    this.state = { state: 'connecting', transport: null, extra: {} };
    /** @type {{hello: Record<string, any>, transport: string} | null} */
    this.open = null;
    /** the highest seq acked on this connection */
    this.acked = 0;
    /** @type {unknown} */
    this.timer = null;
    this.closed = false;
    this.link = new DirectLink({
      connector: hub.connector,
      timers: hub.timers,
      ackDelayMs: hub.ackDelayMs,
      ackBatchSize: hub.ackBatchSize,
      listener: {
        state: (state, transport, extra, always) => {
          this.state = { state, transport, extra };
          if (state !== 'open') this.open = null;
          this.send({ k: 'state', state, transport, extra: extraToData(extra), always });
        },
        opened: (hello, transport, epoch) => this.onOpened(hello, transport, /** @type {number} */ (epoch)),
        rejoined: () => this.onRejoined(),
        frame: (frame, epoch) => this.onFrame(frame, /** @type {number} */ (epoch)),
        answer: () => {},
        error: (error) => this.send({ k: 'error', error: errorToData(error) }),
        stopped: (error) => this.send({ k: 'stopped', error: errorToData(error) }),
        share: () => {},
      },
    });
    this.requests = new RequestTracker({
      write: (frame) => this.link.request(frame),
      timers: hub.timers,
      timeoutMs: hub.requestTimeoutMs,
    });
  }

  /**
   * Takes in the tabs already there (their locks are held), then connects.
   * @returns {Promise<void>}
   */
  async start() {
    this.join(this.id, true);
    try {
      const snapshot = await this.locks.query();
      const prefix = names.tabPrefix(this.key);
      for (const lock of snapshot.held || []) {
        if (typeof lock.name === 'string' && lock.name.startsWith(prefix)) this.join(lock.name.slice(prefix.length), true);
      }
    } catch {
      // no query(): tabs join by message
    }
    if (!this.closed) this.link.start();
  }

  /**
   * What a tab posted to the leader.
   * @param {Record<string, any>} message
   */
  receive(message) {
    if (this.closed || typeof message.from !== 'string') return;
    switch (message.k) {
      case 'join':
        this.join(message.from, false);
        this.welcome(message.from);
        return;
      case 'leave':
        this.drop(message.from);
        return;
      case 'req':
        this.join(message.from, false);
        this.request(message.from, message.frame);
        return;
      case 'handled':
        if (message.epoch === this.epoch && this.gate.has(message.from)) {
          this.gate.handled(message.from, message.seq);
          this.advance();
        }
        return;
      default:
    }
  }

  /** @param {string} token a fresh token from this tab's function */
  refreshed(token) {
    this.link.refreshed(token);
  }

  /** Acks what every tab handled, ends the connection. */
  close() {
    if (this.closed) return;
    this.advance();
    this.closed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    for (const watch of this.members.values()) watch.abort();
    this.members.clear();
    this.link.close();
    this.requests.failAll(new LasthopError('closed', 'this tab stopped leading the shared connection'));
  }

  // ---- tabs ----------------------------------------------------------------------------------

  /**
   * @private
   * @param {string} id
   * @param {boolean} fromStart whether it is owed the redeliveries of a new connection
   */
  join(id, fromStart) {
    if (this.members.has(id)) return;
    const watch = new AbortController();
    this.members.set(id, watch);
    this.gate.join(id, fromStart || this.epoch === null);
    if (id !== this.id) {
      // Granted once the tab's own lock is free: the tab closed, crashed or left.
      Promise.resolve()
        .then(() => this.locks.request(names.tab(this.key, id), { signal: watch.signal }, () => this.drop(id)))
        .catch(() => {});
    }
    this.send({ k: 'tabs', count: this.members.size });
  }

  /**
   * @private
   * @param {string} to
   */
  welcome(to) {
    const { state, transport, extra } = this.state;
    this.send({
      k: 'welcome', to, state, transport, extra: extraToData(extra),
      hello: this.open?.hello ?? null, epoch: this.epoch, tabs: this.members.size,
    });
  }

  /**
   * A tab is gone: it is not waited for any more, and the topics only it held are dropped.
   * @private
   * @param {string} id
   */
  drop(id) {
    const watch = this.members.get(id);
    if (!watch || this.closed || id === this.id) return;
    watch.abort();
    this.members.delete(id);
    this.gate.leave(id);
    for (const [topic, entry] of this.union) {
      if (entry.members.delete(id) && entry.members.size === 0) {
        this.union.delete(topic);
        this.requests.request({ t: 'unsub', topic }).catch(() => {});
      }
    }
    this.send({ k: 'tabs', count: this.members.size });
    this.advance();
  }

  // ---- requests ------------------------------------------------------------------------------

  /**
   * @private
   * @param {string} from
   * @param {Record<string, any>} frame with the tab's own `ref`
   */
  request(from, frame) {
    const { ref, ...fields } = frame;
    /** @type {Promise<void>} */
    let outcome;
    if (fields.t === 'sub') outcome = this.subscribe(from, fields.topic);
    else if (fields.t === 'unsub') outcome = this.unsubscribe(from, fields.topic);
    else outcome = this.requests.request(/** @type {any} */ (fields));
    outcome.then(
      () => this.send({ k: 'ans', to: from, ref }),
      (error) => {
        // Failed because this tab stopped leading: the tab asks the next leader instead.
        if (!this.closed) this.send({ k: 'ans', to: from, ref, error: errorToData(error) });
      },
    );
  }

  /**
   * @private
   * @param {string} from
   * @param {string} topic
   * @returns {Promise<void>}
   */
  subscribe(from, topic) {
    let entry = this.union.get(topic);
    if (!entry) this.union.set(topic, (entry = { members: new Set(), bound: null, pending: false }));
    entry.members.add(from);
    return entry.bound ?? this.bind(topic, entry);
  }

  /**
   * @private
   * @param {string} from
   * @param {string} topic
   * @returns {Promise<void>}
   */
  unsubscribe(from, topic) {
    const entry = this.union.get(topic);
    if (entry) {
      entry.members.delete(from);
      if (entry.members.size > 0) return Promise.resolve(); // another tab still wants it
      this.union.delete(topic);
    }
    return this.requests.request({ t: 'unsub', topic });
  }

  /**
   * Subscribes the session to a topic of the union on the current connection.
   * @private
   * @param {string} topic
   * @param {{members: Set<string>, bound: Promise<void> | null, pending: boolean}} entry
   */
  bind(topic, entry) {
    entry.pending = true;
    const bound = this.requests.request({ t: 'sub', topic }).then(
      () => {
        if (entry.bound === bound) entry.pending = false;
      },
      (error) => {
        if (entry.bound === bound) {
          entry.pending = false;
          entry.bound = null;
        }
        if (FINAL_SUB_REFUSALS.has(error.code) && this.union.get(topic) === entry) this.union.delete(topic);
        throw error;
      },
    );
    entry.bound = bound;
    bound.catch(() => {});
    return bound;
  }

  /**
   * A renewal after a reconnect; a burst of them can meet `rate_limited`, and a session that is
   * re-attaching answers `unavailable`: those are retried after a second or two.
   * @private
   * @param {string} topic
   * @param {{members: Set<string>, bound: Promise<void> | null, pending: boolean}} entry
   */
  renew(topic, entry) {
    const epoch = this.epoch;
    this.bind(topic, entry).catch((error) => {
      if (error.code !== 'rate_limited' && error.code !== 'unavailable') return;
      this.timers.setTimeout(() => {
        if (!this.closed && this.epoch === epoch && this.union.get(topic) === entry && !entry.pending) this.renew(topic, entry);
      }, 1000 + Math.floor(this.random() * 1000));
    });
  }

  // ---- the connection ------------------------------------------------------------------------

  /**
   * @private
   * @param {Record<string, any>} hello
   * @param {import('../negotiator.js').TransportName} transport
   * @param {number} epoch
   */
  onOpened(hello, transport, epoch) {
    this.linkEpoch = epoch;
    this.epoch = `${this.id}:${epoch}`;
    this.gate.reset();
    this.acked = 0;
    this.open = { hello, transport };
    this.send({ k: 'open', hello, transport, epoch: this.epoch });
  }

  /** @private */
  onRejoined() {
    const backlog = this.requests.nextRef;
    for (const [topic, entry] of this.union) {
      if (!entry.pending) this.renew(topic, entry);
    }
    this.requests.replay(backlog);
  }

  /**
   * @private
   * @param {Record<string, any>} frame
   * @param {number} epoch
   */
  onFrame(frame, epoch) {
    switch (frame.t) {
      case 'msg':
        if (epoch !== this.linkEpoch) return undefined;
        this.gate.relayed(frame.seq);
        this.arm();
        return this.send({ k: 'msg', frame, epoch: this.epoch });
      case 'ok':
        this.requests.answer(frame);
        return undefined;
      case 'error':
        if (!this.requests.answer(frame)) {
          this.send({ k: 'error', error: errorToData(fromErrorFrame(frame)) });
        }
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * Acks as far as the rule allows, and wakes up when a timeout will let it go further.
   * @private
   */
  advance() {
    if (this.closed) return;
    const ack = this.gate.ackable();
    if (ack > this.acked) this.link.handled(this.linkEpoch, ack);
    this.acked = ack;
    this.arm();
  }

  /** @private */
  arm() {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    const deadline = this.gate.nextDeadline();
    if (deadline === null || this.closed) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.advance();
    }, Math.max(0, deadline - this.gate.now()) + 1);
  }
}
