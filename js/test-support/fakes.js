import { Endpoints as EndpointsForTests } from '../src/endpoints.js';

// Fakes of the browser APIs the client takes by injection, and recorders to assert on. Nothing
// here sleeps: time moves only when a test calls clock.advance, and flush() lets pending
// promise chains run to their next wait.

/** Lets every queued promise continuation run. */
export function flush() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Virtual time: timers fire only inside advance(), in due order. */
export class FakeClock {
  constructor(start = 1_767_225_600_000) {
    this.time = start;
    this.nextId = 1;
    /** @type {Map<number, {at: number, fn: () => void}>} */
    this.timers = new Map();
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.time + Math.max(0, ms || 0), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
    this.now = () => this.time;
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms) {
    const end = this.time + ms;
    await flush();
    for (;;) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next[1].at)) next = [id, timer];
      }
      if (next === null) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
      await flush();
    }
    this.time = end;
    await flush();
  }

  /** Delays of the timers now pending, relative to now. */
  pending() {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

export class MemoryStorage {
  constructor(entries = {}) {
    this.map = new Map(Object.entries(entries));
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}

/** A WebSocket class whose instances the test drives from the server side. */
export function fakeWebSocketClass() {
  const instances = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      this.closed = null;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      instances.push(this);
    }
    send(text) {
      this.sent.push(JSON.parse(text));
    }
    close(code) {
      this.closed = { code };
    }
    // server side
    open() {
      this.onopen?.({});
    }
    receive(frame) {
      this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }
    drop(code = 1006, reason = '') {
      this.onclose?.({ code, reason });
    }
  }
  FakeWebSocket.instances = instances;
  return FakeWebSocket;
}

/** An EventSource class whose instances the test drives from the server side. */
export function fakeEventSourceClass() {
  const instances = [];
  class FakeEventSource {
    constructor(url) {
      this.url = url;
      this.closed = false;
      this.onopen = this.onmessage = this.onerror = null;
      instances.push(this);
    }
    close() {
      this.closed = true;
    }
    receive(frame) {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }
    fail() {
      this.onerror?.({});
    }
  }
  FakeEventSource.instances = instances;
  return FakeEventSource;
}

/**
 * A fetch whose requests wait until the test answers them. `await http.next()` yields the next
 * request (recorder style): {url, method, body, respond(status, body, headers), stream()}.
 */
export class FakeHttp {
  constructor() {
    this.requests = [];
    this.waiters = [];
    this.unclaimed = [];
    this.fetch = (url, init = {}) => this.handle(url, init);
  }

  handle(url, init) {
    return new Promise((resolve, reject) => {
      const request = {
        url,
        method: init.method || 'GET',
        body: init.body,
        init,
        aborted: false,
        path: new URL(url).pathname,
        query: Object.fromEntries(new URL(url).searchParams),
        respond(status, body = '', headers = {}) {
          const text = typeof body === 'string' ? body : JSON.stringify(body);
          resolve(new Response(status === 204 ? null : text, { status, headers }));
        },
        /** Answers 200 with a body the test writes piece by piece. */
        stream(headers = { 'Content-Type': 'application/x-ndjson; charset=utf-8' }) {
          const encoder = new TextEncoder();
          let controller;
          const body = new ReadableStream({ start: (c) => (controller = c) });
          resolve(new Response(body, { status: 200, headers }));
          const writer = {
            write: (chunk) => controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk),
            frame: (frame) => writer.write(`${JSON.stringify(frame)}\n`),
            end: () => controller.close(),
          };
          request.writer = writer;
          return writer;
        },
        fail(error = new TypeError('Failed to fetch')) {
          reject(error);
        },
      };
      init.signal?.addEventListener('abort', () => {
        request.aborted = true;
        const error = new DOMException('aborted', 'AbortError');
        reject(error);
        try {
          request.writer && request.writer.end();
        } catch {
          // already closed
        }
      });
      this.requests.push(request);
      const waiter = this.waiters.shift();
      if (waiter) waiter(request);
      else this.unclaimed.push(request);
    });
  }

  /** The next request not yet taken, waiting for it if needed. */
  next() {
    const request = this.unclaimed.shift();
    if (request) return Promise.resolve(request);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** An XMLHttpRequest whose instances the test drives (readyState 3 progress, then done). */
export function fakeXhrClass() {
  const instances = [];
  class FakeXhr {
    constructor() {
      this.readyState = 0;
      this.status = 0;
      this.responseText = '';
      this.headers = {};
      this.requestHeaders = {};
      this.aborted = false;
      instances.push(this);
    }
    open(method, url) {
      this.method = method;
      this.url = url;
      this.readyState = 1;
    }
    setRequestHeader(name, value) {
      this.requestHeaders[name] = value;
    }
    send(body) {
      this.body = body;
    }
    abort() {
      this.aborted = true;
    }
    getResponseHeader(name) {
      return this.headers[name] ?? null;
    }
    // server side
    progress(text, status = 200) {
      this.status = status;
      this.responseText += text;
      this.readyState = 3;
      this.onreadystatechange?.();
      this.onprogress?.();
    }
    finish(status = this.status || 200, text = '') {
      this.status = status;
      this.responseText += text;
      this.readyState = 4;
      this.onreadystatechange?.();
      this.onload?.();
    }
  }
  FakeXhr.instances = instances;
  return FakeXhr;
}

/** A JWT with the given claims; unsigned, as the client never verifies. */
export function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

export const SESSION = 'q3Jx0bW8RkO2l9m1c4T7aA';
export const SESSION_2 = 'Zz9yX8wV7uT6sR5qP4oN3m';

let connections = 0;
export function hello(overrides = {}) {
  connections++;
  return {
    t: 'hello',
    v: 1,
    session: SESSION,
    connection: `conn${String(connections).padStart(7, '0')}`,
    resumed: false,
    user: 'alice',
    node: 'edge-1a2b3c4d',
    transport: 'websocket',
    heartbeatMs: 25000,
    prefetch: 64,
    ...overrides,
  };
}

export function msg(seq, id = `m${seq}`, overrides = {}) {
  return { t: 'msg', seq, id, exchange: 'lasthop.user', key: 'alice', enc: 'json', body: { n: seq }, ...overrides };
}

/** Records a client's events in arrival order. */
export function record(client) {
  const events = { state: [], error: [], message: [] };
  client.on('state', (e) => events.state.push(e));
  client.on('error', (e) => events.error.push(e));
  return events;
}

/**
 * The options every client test starts from: fake clock, fake storage, nothing from the globals.
 * @returns {{clock: FakeClock, options: Record<string, any>}}
 */
export function testEnvironment(extra = {}) {
  const clock = new FakeClock();
  const options = {
    token: jwt({ sub: 'alice', exp: clock.now() / 1000 + 3600 }),
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: () => 0.5,
    localStorage: new MemoryStorage(),
    sessionStorage: new MemoryStorage(),
    WebSocket: undefined,
    EventSource: undefined,
    fetch: undefined,
    XMLHttpRequest: undefined,
    locks: null, // no tab sharing unless a test brings fake locks (test-support/tabs.js)
    ...extra,
  };
  return { clock, options };
}

/**
 * A transport wired to recording handlers, as the client would wire it.
 * @param {any} TransportClass
 * @param {Record<string, any>} envOverrides
 */
export function harness(TransportClass, envOverrides = {}, { session = null, resume = null, token = 'T1', pollTimeoutMs = 30000 } = {}) {
  const record = { frames: [], closes: [], errors: [], activity: 0, flushes: 0 };
  const clock = new FakeClock();
  const state = { token };
  const env = {
    WebSocket: undefined,
    EventSource: undefined,
    fetch: undefined,
    XMLHttpRequest: undefined,
    AbortController,
    TextDecoder,
    timers: clock,
    now: clock.now,
    random: Math.random,
    localStorage: null,
    sessionStorage: null,
    ...envOverrides,
  };
  const handlers = {
    onFrame: (frame) => {
      record.frames.push(frame);
      return record.onFrame?.(frame);
    },
    onActivity: () => record.activity++,
    onClose: (info) => record.closes.push(info),
    onError: (error) => record.errors.push(error),
    flush: () => {
      record.flushes++;
      record.onFlush?.();
    },
  };
  const transport = new TransportClass({
    env,
    endpoints: new EndpointsForTests('https://app.example.com'),
    token: () => state.token,
    resume: resume || (session ? { session } : null),
    pollTimeoutMs,
    handlers,
  });
  return { transport, record, state, clock };
}

/**
 * A client on fake time and fake constructors, started: its first attempt is under way.
 * @param {Record<string, any>} extra options
 */
export async function startClient(extra = {}, url = 'https://app.example.com') {
  const { clock, options } = testEnvironment(extra);
  const { connect } = await import('../src/index.js');
  const client = connect(url, options);
  const events = record(client);
  await clock.advance(0);
  return { client, clock, events, options };
}
