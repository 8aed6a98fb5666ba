/**
 * Hands deliveries to the app one at a time, in order, and reports each one as handled once its
 * handler returned (or its promise settled). Redeliveries of an id already handled are not handed
 * over again but are reported too, so the edge can let go of them.
 *
 * Each delivery carries the epoch of the connection it arrived on: `seq` numbers restart on every
 * connection, so whoever acks must not ack a delivery of an old connection on a new one (the edge
 * requeued it; it comes again, is recognised by id, and is acked then).
 *
 * The queue is bounded: past `maxBacklog` deliveries waiting for the handler, which only a shared
 * session can cause (the leader acks past a tab that stopped handling, after its timeout), new
 * ones are dropped and reported as handled, and `onLagged` says so once per episode.
 */
export class Inbox {
  /**
   * @param {object} options
   * @param {import('./dedupe-window.js').DedupeWindow} options.dedupe
   * @param {(frame: Record<string, any>) => Promise<void>} options.dispatch never rejects
   * @param {(seq: number, epoch: unknown) => void} options.handled
   * @param {number} [options.maxBacklog]
   * @param {(dropped: Record<string, any>) => void} [options.onLagged]
   */
  constructor({ dedupe, dispatch, handled, maxBacklog = Infinity, onLagged = () => {} }) {
    this.dedupe = dedupe;
    this.dispatch = dispatch;
    this.handled = handled;
    this.maxBacklog = maxBacklog;
    this.onLagged = onLagged;
    /** @type {Promise<void>} */
    this.tail = Promise.resolve();
    this.duplicates = 0;
    /** deliveries queued and not yet handled */
    this.backlog = 0;
    this.lagging = false;
    this.generation = 0;
  }

  /**
   * Queues a `msg` frame.
   * @param {Record<string, any>} frame
   * @param {unknown} epoch the epoch of the connection it arrived on
   * @returns {Promise<void>} settles once it was handled (or dropped) and reported
   */
  push(frame, epoch) {
    if (this.backlog >= this.maxBacklog) {
      if (!this.lagging) this.onLagged(frame);
      this.lagging = true;
      this.handled(frame.seq, epoch);
      return this.tail;
    }
    if (this.backlog === 0) this.lagging = false;
    this.backlog++;
    const generation = this.generation;
    this.tail = this.tail.then(async () => {
      if (generation !== this.generation) return; // dropped by clear()
      if (this.dedupe.seen(frame.id)) this.duplicates++;
      else await this.dispatch(frame);
      this.backlog--;
      this.handled(frame.seq, epoch);
    });
    return this.tail;
  }

  /**
   * Drops what is queued and not handled yet, without reporting it: it was sent to the user this
   * tab had before a logout and login (that user's other tabs still get it).
   */
  clear() {
    this.generation++;
    this.backlog = 0;
    this.lagging = false;
  }

  /** Settles once everything queued so far was handled. */
  drained() {
    return this.tail;
  }
}
