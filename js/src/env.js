/**
 * The browser APIs the client uses, injectable so the same code runs in a browser and in Node
 * tests. Each defaults to the global of the same name.
 *
 * @typedef {object} Timers
 * @property {(fn: () => void, ms: number) => unknown} setTimeout
 * @property {(handle: unknown) => void} clearTimeout
 *
 * @typedef {object} StorageLike
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 *
 * @typedef {object} WebSocketLike
 * @property {((ev: any) => void) | null} onopen
 * @property {((ev: {data: any}) => void) | null} onmessage
 * @property {((ev: {code?: number, reason?: string}) => void) | null} onclose
 * @property {((ev: any) => void) | null} onerror
 * @property {(data: string) => void} send
 * @property {(code?: number, reason?: string) => void} close
 *
 * @typedef {object} EventSourceLike
 * @property {((ev: any) => void) | null} onopen
 * @property {((ev: {data: string}) => void) | null} onmessage
 * @property {((ev: any) => void) | null} onerror
 * @property {() => void} close
 *
 * @typedef {object} Environment
 * @property {(new (url: string) => WebSocketLike) | undefined} WebSocket
 * @property {(new (url: string) => EventSourceLike) | undefined} EventSource
 * @property {((url: string, init?: any) => Promise<any>) | undefined} fetch
 * @property {(new () => any) | undefined} XMLHttpRequest
 * @property {(new () => {signal: any, abort(): void}) | undefined} AbortController
 * @property {new (label?: string) => {decode(input?: any, options?: {stream?: boolean}): string}} TextDecoder
 * @property {Timers} timers
 * @property {() => number} now epoch milliseconds
 * @property {() => number} random uniform in [0, 1)
 * @property {StorageLike | null} localStorage remembers the working transport per origin
 * @property {StorageLike | null} sessionStorage keeps the session id per tab
 */

/**
 * @typedef {object} EnvironmentOptions
 * @property {any} [WebSocket]
 * @property {any} [EventSource]
 * @property {any} [fetch]
 * @property {any} [XMLHttpRequest]
 * @property {any} [AbortController]
 * @property {any} [TextDecoder]
 * @property {(fn: () => void, ms: number) => unknown} [setTimeout]
 * @property {(handle: unknown) => void} [clearTimeout]
 * @property {() => number} [now]
 * @property {() => number} [random]
 * @property {StorageLike | null} [localStorage] `null` keeps nothing across page loads
 * @property {StorageLike | null} [sessionStorage] `null` keeps the session id in memory only
 */

/** @type {any} */
const g = typeof globalThis !== 'undefined' ? globalThis : {};

/**
 * Fills every API the options leave out from the globals. Globals are wrapped, never called as
 * methods of another object: browsers throw "Illegal invocation" for a detached `fetch`.
 * @param {EnvironmentOptions} options
 * @returns {Environment}
 */
export function resolveEnvironment(options) {
  const pick = (/** @type {keyof EnvironmentOptions} */ name) =>
    name in options ? options[name] : g[name];
  const setTimeoutFn = options.setTimeout || ((fn, ms) => g.setTimeout(fn, ms));
  const clearTimeoutFn = options.clearTimeout || ((handle) => g.clearTimeout(handle));
  return {
    WebSocket: pick('WebSocket'),
    EventSource: pick('EventSource'),
    fetch: 'fetch' in options ? options.fetch : g.fetch && ((url, init) => g.fetch(url, init)),
    XMLHttpRequest: pick('XMLHttpRequest'),
    AbortController: pick('AbortController'),
    TextDecoder: pick('TextDecoder'),
    timers: { setTimeout: setTimeoutFn, clearTimeout: clearTimeoutFn },
    now: options.now || (() => Date.now()),
    random: options.random || Math.random,
    localStorage: 'localStorage' in options ? options.localStorage || null : globalStorage('localStorage'),
    sessionStorage:
      'sessionStorage' in options ? options.sessionStorage || null : globalStorage('sessionStorage'),
  };
}

/** @param {'localStorage' | 'sessionStorage'} name */
function globalStorage(name) {
  try {
    return g[name] || null;
  } catch {
    return null; // reading window.localStorage throws when the browser blocks storage
  }
}
