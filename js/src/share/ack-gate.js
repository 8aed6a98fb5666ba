/**
 * The ack rule of a shared connection: the leader acks a delivery once every tab has handled it,
 * so that a tab that closes or crashes mid-handler leaves it unacked, and the edge delivers it
 * again to whichever tab leads next. A tab that has not handled a delivery `timeoutMs` after it
 * was relayed (frozen, discarded, or far slower than the others) stops holding the others back:
 * the ack goes past it, and it is left out of the rule until it has caught up with the ack.
 * It still gets every delivery, in order, from its own queue (bounded: inbox.js).
 *
 * Seqs are those of one connection (acks are cumulative per connection, PROTOCOL.md §3):
 * `reset` starts over on each new one.
 */
export class AckGate {
  /**
   * @param {object} options
   * @param {number} options.timeoutMs
   * @param {() => number} options.now
   */
  constructor({ timeoutMs, now }) {
    this.timeoutMs = timeoutMs;
    this.now = now;
    /** @type {Map<string, {handled: number, behind: boolean}>} */
    this.members = new Map();
    /** @type {{seq: number, at: number}[]} relayed and not acked yet, in seq order */
    this.outstanding = [];
    this.last = 0;
    this.acked = 0;
  }

  /** A new connection: nothing relayed yet. */
  reset() {
    this.outstanding = [];
    this.last = 0;
    this.acked = 0;
    for (const member of this.members.values()) {
      member.handled = 0;
      member.behind = false;
    }
  }

  /**
   * A tab joins. It is owed what is relayed from now on, unless `fromStart` (a tab known to
   * have been there before the connection, which gets its redeliveries).
   * @param {string} id
   * @param {boolean} [fromStart]
   */
  join(id, fromStart = false) {
    if (!this.members.has(id)) this.members.set(id, { handled: fromStart ? 0 : this.last, behind: false });
  }

  /** @param {string} id */
  leave(id) {
    this.members.delete(id);
  }

  /** @param {string} id */
  has(id) {
    return this.members.has(id);
  }

  /** @param {number} seq a delivery relayed to every tab now */
  relayed(seq) {
    if (seq <= this.last) return;
    this.last = seq;
    this.outstanding.push({ seq, at: this.now() });
  }

  /**
   * @param {string} id
   * @param {number} seq the tab handled every delivery up to this one
   */
  handled(id, seq) {
    const member = this.members.get(id);
    if (!member || seq <= member.handled) return;
    member.handled = Math.min(seq, this.last);
    if (member.behind && member.handled >= this.acked) member.behind = false;
  }

  /**
   * The highest seq that may be acked now; moves the ack point there.
   * @returns {number}
   */
  ackable() {
    let everyone = this.last;
    for (const member of this.members.values()) {
      if (!member.behind && member.handled < everyone) everyone = member.handled;
    }
    let timedOut = 0;
    const due = this.now() - this.timeoutMs;
    for (const entry of this.outstanding) {
      if (entry.at > due) break;
      timedOut = entry.seq;
    }
    const ack = Math.max(this.acked, everyone, timedOut);
    if (ack > this.acked) {
      this.acked = ack;
      while (this.outstanding.length > 0 && this.outstanding[0].seq <= ack) this.outstanding.shift();
      for (const member of this.members.values()) {
        if (member.handled < ack) member.behind = true;
      }
    }
    return this.acked;
  }

  /** @returns {number | null} when `ackable` may grow by the timeout alone (epoch ms) */
  nextDeadline() {
    return this.outstanding.length > 0 ? this.outstanding[0].at + this.timeoutMs : null;
  }
}
