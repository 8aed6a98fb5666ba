/**
 * Remembers the most recent message ids, to drop redeliveries (PROTOCOL.md §6: `seq` restarts on
 * every connection, so only `id` identifies a message). Bounded: the least recently seen id is
 * forgotten first, so a long-lived tab does not grow without limit.
 */
export class DedupeWindow {
  /** @param {number} [size] how many ids to remember */
  constructor(size = 1000) {
    if (!(size >= 1)) throw new RangeError('dedupe window size must be at least 1');
    this.size = size;
    /** @type {Map<string, true>} insertion order is recency order */
    this.ids = new Map();
  }

  /**
   * Records `id` and tells whether it was already there.
   * @param {string} id
   * @returns {boolean} true for a duplicate
   */
  seen(id) {
    const duplicate = this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.size) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return duplicate;
  }

  /** @param {string} id */
  has(id) {
    return this.ids.has(id);
  }
}
