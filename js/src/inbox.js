/**
 * Hands deliveries to the app one at a time, in order, and acks each one after its handler
 * returned (or its promise settled). Redeliveries of an id already handled are not handed over
 * again but are acked, so the edge can let go of them.
 *
 * Each delivery carries the connection epoch it arrived on: `seq` numbers restart on every
 * connection, so a delivery that finishes after its connection was replaced is not acked on the
 * new one (the edge requeued it; it comes again, is recognised by id, and is acked then).
 */
export class Inbox {
  /**
   * @param {object} options
   * @param {import('./dedupe-window.js').DedupeWindow} options.dedupe
   * @param {import('./ack-batcher.js').AckBatcher} options.acks
   * @param {(frame: Record<string, any>) => Promise<void>} options.dispatch never rejects
   * @param {() => number} options.epoch the current connection's epoch
   */
  constructor({ dedupe, acks, dispatch, epoch }) {
    this.dedupe = dedupe;
    this.acks = acks;
    this.dispatch = dispatch;
    this.epoch = epoch;
    /** @type {Promise<void>} */
    this.tail = Promise.resolve();
    this.duplicates = 0;
  }

  /**
   * Queues a `msg` frame.
   * @param {Record<string, any>} frame
   * @param {number} epoch the epoch of the connection it arrived on
   * @returns {Promise<void>} settles once it was handled (or dropped) and its ack recorded
   */
  push(frame, epoch) {
    this.tail = this.tail.then(async () => {
      if (this.dedupe.seen(frame.id)) this.duplicates++;
      else await this.dispatch(frame);
      if (epoch === this.epoch()) this.acks.handled(frame.seq);
    });
    return this.tail;
  }

  /** Settles once everything queued so far was handled. */
  drained() {
    return this.tail;
  }
}
