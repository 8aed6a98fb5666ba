/**
 * A tiny event emitter. Unlike EventTarget it hands back what listeners return, so the client can
 * wait for an async `message` handler before acking.
 * @template {Record<string, any>} Events map of event name to the listener's argument
 */
export class Emitter {
  constructor() {
    /** @type {Map<keyof Events, Set<(arg: any) => unknown>>} */
    this.listeners = new Map();
  }

  /**
   * @template {keyof Events} K
   * @param {K} type
   * @param {(arg: Events[K]) => unknown} listener
   * @returns {() => void} removes the listener
   */
  on(type, listener) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  /**
   * @template {keyof Events} K
   * @param {K} type
   * @param {(arg: Events[K]) => unknown} listener
   */
  off(type, listener) {
    this.listeners.get(type)?.delete(listener);
  }

  /**
   * Calls every listener; one that throws does not stop the others.
   * @template {keyof Events} K
   * @param {K} type
   * @param {Events[K]} arg
   * @returns {{results: unknown[], errors: unknown[]}}
   */
  emit(type, arg) {
    /** @type {unknown[]} */
    const results = [];
    /** @type {unknown[]} */
    const errors = [];
    for (const listener of [...(this.listeners.get(type) || [])]) {
      try {
        results.push(listener(arg));
      } catch (error) {
        errors.push(error);
      }
    }
    return { results, errors };
  }
}
