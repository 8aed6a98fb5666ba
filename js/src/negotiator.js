/**
 * Every transport, named as `hello.transport` names it (PROTOCOL.md §4), in the order they are
 * tried: the fastest first, the most compatible last.
 */
export const TRANSPORT_NAMES = Object.freeze(/** @type {const} */ (['websocket', 'sse', 'stream', 'poll']));

/**
 * @typedef {'websocket' | 'sse' | 'stream' | 'poll'} TransportName
 */

/**
 * Decides which transports to try and in which order. A round is one pass over the candidates;
 * the transport that last reached `hello` for this origin goes first, so a network that blocks
 * WebSocket pays the fallback once, not on every page load.
 */
export class Negotiator {
  /**
   * @param {object} options
   * @param {readonly string[]} [options.transports] only these, in this order
   * @param {readonly string[]} [options.exclude] never these
   * @param {(name: TransportName) => boolean} options.available whether this environment can run it
   * @param {{get(): string | null, set(name: string): void}} options.memory
   */
  constructor({ transports = TRANSPORT_NAMES, exclude = [], available, memory }) {
    for (const name of [...transports, ...exclude]) {
      if (!/** @type {readonly string[]} */ (TRANSPORT_NAMES).includes(name)) {
        throw new TypeError(`unknown transport "${name}"; use ${TRANSPORT_NAMES.join(', ')}`);
      }
    }
    /** @type {TransportName[]} */
    this.candidates = /** @type {TransportName[]} */ (
      transports.filter((name, i) => transports.indexOf(name) === i && !exclude.includes(name))
    ).filter(available);
    this.memory = memory;
  }

  /**
   * The transports to try on the next connection attempt, in order.
   * @returns {TransportName[]}
   */
  round() {
    const remembered = this.memory.get();
    const first = this.candidates.find((name) => name === remembered);
    return first ? [first, ...this.candidates.filter((name) => name !== first)] : [...this.candidates];
  }

  /**
   * Records the transport that reached `hello`.
   * @param {TransportName} name
   */
  succeeded(name) {
    this.memory.set(name);
  }
}
