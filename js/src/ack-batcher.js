/**
 * Batches cumulative acks (PROTOCOL.md §3: `{"t":"ack","seq":N}` acks everything up to N on this
 * connection). Handled deliveries are counted; the highest seq is sent when `maxPending` are
 * waiting or `delayMs` after the first one, whichever comes first. One ack per batch keeps the
 * upstream quiet, and the short timer keeps the edge's 60 s ack deadline far away.
 */
export class AckBatcher {
  /**
   * @param {object} options
   * @param {(seq: number) => void} options.send writes the ack frame
   * @param {number} [options.delayMs] longest wait before a pending ack goes out
   * @param {number} [options.maxPending] flush at once when this many are pending
   * @param {import('./env.js').Timers} options.timers
   */
  constructor({ send, delayMs = 100, maxPending = 32, timers }) {
    this.sendAck = send;
    this.delayMs = delayMs;
    this.maxPending = maxPending;
    this.timers = timers;
    this.highest = 0;
    this.acked = 0;
    this.pending = 0;
    /** @type {unknown} */
    this.timer = null;
  }

  /**
   * Marks delivery `seq` as handled by the app.
   * @param {number} seq
   */
  handled(seq) {
    if (seq <= this.acked) return;
    if (seq > this.highest) this.highest = seq;
    this.pending++;
    if (this.pending >= this.maxPending) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.delayMs);
    }
  }

  /** Sends the pending ack now, if any. */
  flush() {
    this.cancelTimer();
    if (this.highest <= this.acked) return;
    this.acked = this.highest;
    this.pending = 0;
    this.sendAck(this.highest);
  }

  /** Forgets everything: a new connection numbers its deliveries from 1 again. */
  reset() {
    this.cancelTimer();
    this.highest = 0;
    this.acked = 0;
    this.pending = 0;
  }

  /** @private */
  cancelTimer() {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
