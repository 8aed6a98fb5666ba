// Several tabs of one browser on fake time: a fake LockManager and BroadcastChannel shared by
// the tabs, one fake WebSocket class for the edge side, and a way to crash a tab (its locks are
// released, its channels go quiet and its timers stop, as when a browser tab dies).
import { FakeClock, MemoryStorage, fakeWebSocketClass, jwt, record } from './fakes.js';

export class FakeLocks {
  constructor() {
    /** @type {Map<string, any>} */
    this.held = new Map();
    /** @type {Map<string, any[]>} */
    this.queues = new Map();
    this.dead = new Set();
  }

  forTab(tab) {
    return {
      request: (name, options, callback) => this.request(tab, name, options, callback),
      query: async () => this.query(),
    };
  }

  request(tab, name, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    return new Promise((resolve, reject) => {
      if (this.dead.has(tab)) return; // a dead tab's request never settles
      const entry = { tab, name, callback, resolve, reject };
      const signal = options?.signal;
      if (signal?.aborted) {
        reject(new DOMException('aborted', 'AbortError'));
        return;
      }
      signal?.addEventListener('abort', () => {
        const queue = this.queues.get(name) ?? [];
        const i = queue.indexOf(entry);
        if (i >= 0) {
          queue.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        }
      });
      if (!this.queues.has(name)) this.queues.set(name, []);
      this.queues.get(name).push(entry);
      this.pump(name);
    });
  }

  pump(name) {
    if (this.held.has(name)) return;
    const next = this.queues.get(name)?.shift();
    if (!next) return;
    this.held.set(name, next);
    queueMicrotask(async () => {
      try {
        next.resolve(await next.callback({ name, mode: 'exclusive' }));
      } catch (error) {
        next.reject(error);
      } finally {
        if (this.held.get(name) === next) {
          this.held.delete(name);
          this.pump(name);
        }
      }
    });
  }

  /** Releases what the tab held and forgets what it waited for. */
  crash(tab) {
    this.dead.add(tab);
    for (const [name, queue] of this.queues) this.queues.set(name, queue.filter((e) => e.tab !== tab));
    for (const [name, entry] of [...this.held]) {
      if (entry.tab === tab) {
        this.held.delete(name);
        this.pump(name);
      }
    }
  }

  query() {
    return {
      held: [...this.held.values()].map((e) => ({ name: e.name, clientId: e.tab, mode: 'exclusive' })),
      pending: [...this.queues.values()].flat().map((e) => ({ name: e.name, clientId: e.tab, mode: 'exclusive' })),
    };
  }

  holder(name) {
    return this.held.get(name)?.tab ?? null;
  }
}

/** BroadcastChannel across the tabs of one fake browser; delivery is async, in order. */
export class FakeBus {
  constructor() {
    this.channels = new Set();
    this.dead = new Set();
    this.posted = 0;
  }

  classFor(tab) {
    const bus = this;
    return class FakeBroadcastChannel {
      constructor(name) {
        this.name = name;
        this.tab = tab;
        this.onmessage = null;
        this.closed = false;
        bus.channels.add(this);
      }
      postMessage(data) {
        if (this.closed || bus.dead.has(tab)) return;
        bus.posted++;
        const copy = structuredClone(data);
        for (const other of bus.channels) {
          if (other === this || other.name !== this.name || other.closed || bus.dead.has(other.tab)) continue;
          setImmediate(() => {
            if (!other.closed && !bus.dead.has(other.tab)) other.onmessage?.({ data: copy });
          });
        }
      }
      close() {
        this.closed = true;
        bus.channels.delete(this);
      }
    };
  }

  crash(tab) {
    this.dead.add(tab);
  }
}

/**
 * One browser: tabs opened with `open(name, options)`, each a client recording what its app
 * sees. Every tab shares the clock, the locks, the channels, localStorage and the edge side.
 */
export class Browser {
  constructor() {
    this.clock = new FakeClock();
    this.locks = new FakeLocks();
    this.bus = new FakeBus();
    this.WebSocket = fakeWebSocketClass();
    this.localStorage = new MemoryStorage();
    /** @type {Map<string, any>} */
    this.tabs = new Map();
    this.dead = new Set();
  }

  /** The sockets the edge sees open (not closed by their tab, not dropped). */
  sockets() {
    return this.WebSocket.instances.filter((ws) => ws.closed === null && !ws.dropped);
  }

  latest() {
    return this.WebSocket.instances.at(-1);
  }

  async open(name, { user = 'alice', handler, ttl = 3600, ...extra } = {}) {
    const { connect } = await import('../src/index.js');
    const timers = new Set();
    const clock = this.clock;
    const dead = () => this.dead.has(name);
    const client = connect('https://app.example.com', {
      token: ({ reason } = {}) => {
        tab.tokenCalls.push(reason);
        return jwt({ sub: tab.user, exp: clock.now() / 1000 + ttl, n: tab.tokenCalls.length });
      },
      setTimeout: (fn, ms) => {
        const id = clock.setTimeout(() => { timers.delete(id); if (!dead()) fn(); }, ms);
        timers.add(id);
        return id;
      },
      clearTimeout: (id) => { timers.delete(id); clock.clearTimeout(id); },
      now: clock.now,
      random: () => 0.5,
      localStorage: this.localStorage,
      sessionStorage: new MemoryStorage(),
      WebSocket: this.WebSocket,
      EventSource: undefined,
      fetch: undefined,
      XMLHttpRequest: undefined,
      transports: ['websocket'],
      locks: this.locks.forTab(name),
      BroadcastChannel: this.bus.classFor(name),
      ackDelayMs: 0,
      ackBatchSize: 1,
      ...extra,
    });
    const tab = { name, user, client, events: record(client), got: [], tokenCalls: [], share: [] };
    client.on('share', (s) => tab.share.push(s));
    client.on('message', (m) => {
      if (dead()) return new Promise(() => {});
      tab.got.push(m.id);
      return handler?.(m);
    });
    this.tabs.set(name, tab);
    await this.settle();
    return tab;
  }

  /** The tab dies: no more timers, messages or locks; its socket is left to the edge. */
  async crash(name) {
    this.dead.add(name);
    this.bus.crash(name);
    this.locks.crash(name);
    await this.settle();
  }

  leader() {
    for (const tab of this.tabs.values()) if (!this.dead.has(tab.name) && tab.client.role === 'leader') return tab;
    return null;
  }

  async settle(ms = 0) {
    for (let i = 0; i < 5; i++) await this.clock.advance(0);
    if (ms) await this.clock.advance(ms);
  }
}

/** The frames a socket sent, of one type. */
export function sent(ws, t) {
  return ws.sent.filter((f) => f.t === t);
}
