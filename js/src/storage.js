/**
 * What the client keeps in Web Storage: the session to resume per tab (sessionStorage, PROTOCOL.md §5)
 * and the transport that last reached `hello` per origin (localStorage). Storage can throw
 * (quota, private mode, blocked cookies), and losing either value only costs a new session or a
 * slower negotiation, so every access is guarded and falls back to memory.
 */
class SafeStore {
  /**
   * @param {import('./env.js').StorageLike | null} storage
   * @param {string} key
   */
  constructor(storage, key) {
    this.storage = storage;
    this.key = key;
    /** @type {string | null} */
    this.memory = null;
  }

  /** @returns {string | null} */
  read() {
    try {
      if (this.storage) return this.storage.getItem(this.key);
    } catch {
      // fall through to memory
    }
    return this.memory;
  }

  /** @param {string | null} value */
  write(value) {
    this.memory = value;
    try {
      if (!this.storage) return;
      if (value === null) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, value);
    } catch {
      // memory keeps it for this page
    }
  }
}

/**
 * Where to resume: the session id, with the `connection` and `node` of the latest `hello`
 * (PROTOCOL.md §2, session parameters), so the edge can release that connection on that node.
 * @typedef {{session: string, connection?: string, node?: string}} ResumePoint
 */

/** The session to resume, one per tab and edge URL. */
export class SessionStore {
  /**
   * @param {import('./env.js').StorageLike | null} storage sessionStorage
   * @param {string} edgeUrl
   */
  constructor(storage, edgeUrl) {
    this.store = new SafeStore(storage, `lasthop.session:${edgeUrl}`);
  }

  /** @returns {ResumePoint | null} */
  get() {
    try {
      const point = JSON.parse(this.store.read() || 'null');
      // A malformed id would get 400 bad_session_id on every attempt; drop it instead.
      if (!point || typeof point.session !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(point.session)) return null;
      return {
        session: point.session,
        connection: typeof point.connection === 'string' ? point.connection : undefined,
        node: typeof point.node === 'string' ? point.node : undefined,
      };
    } catch {
      return null;
    }
  }

  /** @param {{session: string, connection?: string, node?: string}} hello */
  set({ session, connection, node }) {
    this.store.write(JSON.stringify({ session, connection, node }));
  }

  /** Forgets the session: the next connection starts a new one. */
  clear() {
    this.store.write(null);
  }
}

/** The transport that last reached `hello` for an origin, forgotten after `ttlMs`. */
export class TransportMemory {
  /**
   * @param {import('./env.js').StorageLike | null} storage localStorage
   * @param {string} origin
   * @param {() => number} now
   * @param {number} ttlMs
   */
  constructor(storage, origin, now, ttlMs) {
    this.store = new SafeStore(storage, `lasthop.transport:${origin}`);
    this.now = now;
    this.ttlMs = ttlMs;
  }

  /** @returns {string | null} */
  get() {
    try {
      const raw = this.store.read();
      if (!raw) return null;
      const { name, at } = JSON.parse(raw);
      return typeof name === 'string' && this.now() - at < this.ttlMs ? name : null;
    } catch {
      return null;
    }
  }

  /** @param {string} name */
  set(name) {
    this.store.write(JSON.stringify({ name, at: this.now() }));
  }
}
