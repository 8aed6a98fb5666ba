import { AckBatcher } from './ack-batcher.js';

/**
 * @typedef {import('./negotiator.js').TransportName} TransportName
 * @typedef {import('./connector.js').ConnectionState} ConnectionState
 * @typedef {import('./errors.js').LasthopError} LasthopError
 *
 * @typedef {object} LinkListener what a client hears from its link to the edge
 * @property {(state: ConnectionState, transport: TransportName | null, extra: Record<string, unknown>, always: boolean) => void} state
 * @property {(hello: Record<string, any>, transport: TransportName, epoch: unknown) => void} opened
 *   a new connection: deliveries of older epochs are not acked any more
 * @property {() => void} rejoined requests unanswered so far, and the topics, must be sent again
 * @property {(frame: Record<string, any>, epoch: unknown) => Promise<void> | void} frame a `msg`,
 *   or the `ok` / `error` answering a request
 * @property {(ref: number, error: LasthopError | null) => void} answer a request settled elsewhere
 *   (by the leader of a shared session)
 * @property {(error: LasthopError) => void} error
 * @property {(error: LasthopError) => void} stopped nothing more will happen
 * @property {(info: {role: 'leader' | 'follower', tabs: number}) => void} share
 *
 * @typedef {object} Link how a client reaches the edge: its own connection, or a shared one
 * @property {() => unknown} start
 * @property {(frame: Record<string, unknown>) => boolean} request writes a request frame (with
 *   the client's `ref`); false when it must wait for `rejoined`
 * @property {(epoch: unknown, seq: number) => void} handled the app is done with a delivery
 * @property {(token: string) => void} refreshed the token function returned a fresh token
 * @property {() => void} close acks what was handled and ends
 */

/**
 * The client's own connection: a Connector, and batched cumulative acks of what was handled on
 * the current connection. Used without sharing, and by the leader of a shared session (hub.js).
 * @implements {Link}
 */
export class DirectLink {
  /**
   * @param {object} options
   * @param {(listener: import('./connector.js').ConnectorListener) => import('./connector.js').Connector} options.connector
   * @param {import('./env.js').Timers} options.timers
   * @param {number} options.ackDelayMs
   * @param {number} options.ackBatchSize
   * @param {LinkListener} options.listener
   */
  constructor({ connector, timers, ackDelayMs, ackBatchSize, listener }) {
    this.listener = listener;
    /** Counts connections; deliveries are acked only on the connection they came on. */
    this.epoch = 0;
    this.acks = new AckBatcher({
      send: (seq) => this.connector.write({ t: 'ack', seq }),
      delayMs: ackDelayMs,
      maxPending: ackBatchSize,
      timers,
    });
    this.connector = connector({
      state: (state, transport, extra) => listener.state(state, transport, extra, 'delayMs' in extra),
      opened: (hello, transport) => {
        this.epoch++;
        this.acks.reset();
        listener.opened(hello, transport, this.epoch);
        listener.rejoined();
      },
      frame: (frame) => listener.frame(frame, this.epoch),
      detached: () => {
        this.epoch++; // deliveries still in a handler belong to the old connection
        this.acks.reset();
      },
      flush: () => this.acks.flush(),
      error: (error) => listener.error(error),
      stopped: (error) => listener.stopped(error),
    });
  }

  start() {
    this.connector.start();
  }

  /** @param {Record<string, unknown>} frame */
  request(frame) {
    return this.connector.write(frame);
  }

  /**
   * @param {unknown} epoch
   * @param {number} seq
   */
  handled(epoch, seq) {
    if (epoch === this.epoch) this.acks.handled(seq);
  }

  /** @param {string} token */
  refreshed(token) {
    this.connector.write({ t: 'auth', token });
  }

  close() {
    this.acks.flush();
    this.connector.close();
  }
}
