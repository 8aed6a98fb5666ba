import { Hub } from './hub.js';
import { errorFromData, extraFromData, names } from './wire.js';

/**
 * @typedef {import('../direct-link.js').Link} Link
 *
 * @typedef {object} ShareEnvironment
 * @property {any} [locks] the Web Locks API (`navigator.locks`); `null` never shares
 * @property {any} [BroadcastChannel] the BroadcastChannel constructor
 */

/**
 * Who the tabs of a group are: the edge URLs, and the issuer and subject of the token (read, not
 * verified: the edge verifies). Tabs of different users never share a group.
 * @param {string} token
 * @param {string} edgeKey
 * @returns {string | null} null when the token names no user
 */
export function shareKey(token, edgeKey) {
  try {
    const base64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (typeof claims.sub !== 'string' || claims.sub === '') return null;
    return JSON.stringify([edgeKey, typeof claims.iss === 'string' ? claims.iss : '', claims.sub]);
  } catch {
    return null;
  }
}

/** How long a leader that stopped for good holds the lead, so that the others stop first. */
const TERMINAL_HOLD_MS = 1000;

/**
 * One tab's part in a shared session (PEERS.md, cross-tab). Every tab holds a Web Lock of its
 * own for as long as it lives, and queues for the group's leader lock; the tab that gets it leads
 * (hub.js): it holds the one connection and relays to the others over a BroadcastChannel. When
 * the leader closes or crashes, the browser releases its locks: the next tab in the queue leads,
 * resumes the session, and the edge delivers again what was not acked; each tab drops by id what
 * it had already handled. Requests go to the leader and come back answered; a tab re-sends what
 * was unanswered to each new leader.
 * @implements {Link}
 */
export class TabLink {
  /**
   * @param {object} options
   * @param {{timers: import('../env.js').Timers, random: () => number}} options.env
   * @param {{key: string}} options.share the group
   * @param {any} options.locks
   * @param {any} options.BroadcastChannel
   * @param {import('./hub.js').HubOptions} options.hub what leading takes
   * @param {(token: string) => string | null} options.user the group of a token
   * @param {() => void} options.onUserChanged this tab's token now names another user
   * @param {import('../direct-link.js').LinkListener} options.listener
   */
  constructor({ env, share, locks, BroadcastChannel, hub, user, onUserChanged, listener }) {
    this.env = env;
    this.key = share.key;
    this.locks = locks;
    this.Channel = BroadcastChannel;
    this.hubOptions = hub;
    this.user = user;
    this.onUserChanged = onUserChanged;
    this.listener = listener;
    this.id = randomId(env.random);
    /** @type {string | null} the tab that leads, once known */
    this.leaderId = null;
    /** @type {Hub | null} while this tab leads */
    this.hub = null;
    this.closed = false;
    this.queue = new AbortController();
    /** @type {() => void} */
    this.releaseTab = () => {};
    /** @type {() => void} */
    this.resign = () => {};
    /** @type {any} */
    this.down = null;
    /** @type {any} */
    this.up = null;
  }

  /**
   * Holds this tab's lock, joins the group, and queues for the lead.
   * @returns {Promise<boolean>} false when this page cannot share after all (Web Locks refused,
   *   as in a sandboxed frame, or no channel): the client connects on its own
   */
  async start() {
    const locked = await new Promise((granted) => {
      Promise.resolve()
        .then(() => this.locks.request(names.tab(this.key, this.id), () => {
          granted(true);
          return new Promise((release) => (this.releaseTab = () => release(undefined)));
        }))
        .catch(() => granted(false));
    });
    if (!locked) return false;
    if (this.closed) {
      this.releaseTab();
      return true;
    }
    try {
      this.down = new this.Channel(names.down(this.key));
      this.up = new this.Channel(names.up(this.key));
    } catch {
      this.releaseTab();
      return false;
    }
    this.down.onmessage = (/** @type {{data: any}} */ event) => this.onDown(event.data, false);
    this.post({ k: 'join' });
    this.locks.request(names.leader(this.key), { signal: this.queue.signal }, () => this.lead())
      .catch(() => {}); // aborted: this tab left before its turn
    return true;
  }

  /** @param {Record<string, unknown>} frame */
  request(frame) {
    if (this.closed || this.leaderId === null) return false;
    this.post({ k: 'req', frame });
    return true;
  }

  /**
   * @param {unknown} epoch
   * @param {number} seq
   */
  handled(epoch, seq) {
    if (!this.closed && this.leaderId !== null) this.post({ k: 'handled', epoch, seq });
  }

  /** @param {string} token */
  refreshed(token) {
    if (this.closed) return;
    if (this.user(token) !== this.key) {
      this.onUserChanged(); // a logout and login in this tab: leave, and join the new user's tabs
      return;
    }
    this.hub?.refreshed(token);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.queue.abort();
    if (this.hub) {
      this.hub.close();
      this.hub = null;
      this.resign();
    } else if (this.up) {
      this.post({ k: 'leave' });
    }
    this.releaseTab();
    this.down?.close();
    this.up?.close();
  }

  // ---- leading -------------------------------------------------------------------------------

  /**
   * Runs while this tab holds the leader lock; the lock goes when the promise settles.
   * @private
   * @returns {Promise<void>}
   */
  lead() {
    if (this.closed) return Promise.resolve();
    /** @type {Promise<void>} */
    const held = new Promise((resolve) => (this.resign = () => resolve(undefined)));
    this.leaderId = this.id;
    this.hub = new Hub({
      id: this.id,
      key: this.key,
      locks: this.locks,
      hub: this.hubOptions,
      send: (message) => {
        const stamped = { ...message, from: this.id };
        this.down.postMessage(stamped);
        return this.onDown(stamped, true);
      },
    });
    this.up.onmessage = (/** @type {{data: any}} */ event) => this.hub?.receive(event.data);
    this.down.postMessage({ k: 'leader', from: this.id });
    this.hub.receive({ k: 'join', from: this.id });
    this.hub.start();
    return held;
  }

  // ---- what the leader says ------------------------------------------------------------------

  /**
   * @private
   * @param {Record<string, any>} m
   * @param {boolean} local from this tab's own hub
   * @returns {Promise<void> | void}
   */
  onDown(m, local) {
    if (this.closed || !m || typeof m.from !== 'string') return undefined;
    if (m.k === 'leader') {
      if (m.from !== this.id) {
        this.leaderId = m.from;
        this.post({ k: 'join' });
      }
      return undefined;
    }
    if (m.to !== undefined && m.to !== this.id) return undefined;
    if (m.k === 'welcome') {
      this.leaderId = m.from; // a new tab learns of the leader here
    } else if (m.from !== this.leaderId || (m.from === this.id && !local)) {
      return undefined; // a leader that has since been replaced
    }
    const l = this.listener;
    const role = this.leaderId === this.id ? 'leader' : 'follower';
    switch (m.k) {
      case 'welcome':
        l.share({ role, tabs: m.tabs });
        l.state(m.state, m.transport, extraFromData(m.extra), true);
        // A tab that joins now missed nothing of the session it joins.
        if (m.hello) l.opened({ ...m.hello, gap: undefined }, m.transport, m.epoch);
        l.rejoined(); // what was asked of an earlier leader and not answered, again
        return undefined;
      case 'state':
        l.state(m.state, m.transport, extraFromData(m.extra), m.always);
        return undefined;
      case 'open':
        l.opened(m.hello, m.transport, m.epoch);
        return undefined;
      case 'msg':
        return l.frame(m.frame, m.epoch);
      case 'ans':
        l.answer(m.ref, m.error ? errorFromData(m.error) : null);
        return undefined;
      case 'tabs':
        l.share({ role, tabs: m.count });
        return undefined;
      case 'error':
        l.error(errorFromData(m.error));
        return undefined;
      case 'stopped':
        if (this.hub) {
          // Stopped for good (revoked, taken over): hold the lead a moment, so that the other
          // tabs hear it and stop before one of them could take the lead and connect again.
          const resign = this.resign;
          this.env.timers.setTimeout(() => resign(), TERMINAL_HOLD_MS);
          this.resign = () => {};
        }
        l.stopped(errorFromData(m.error));
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * To the leader: through the channel, or straight to this tab's own hub.
   * @private
   * @param {Record<string, unknown>} message
   */
  post(message) {
    const stamped = { ...message, from: this.id };
    if (this.hub) this.hub.receive(stamped);
    else this.up?.postMessage(stamped);
  }
}

/** @param {() => number} random */
function randomId(random) {
  const crypto = /** @type {any} */ (globalThis).crypto;
  if (crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.floor(random() * 2 ** 52).toString(36)}`;
}
