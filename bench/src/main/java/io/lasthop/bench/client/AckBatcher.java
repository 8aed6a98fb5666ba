package io.lasthop.bench.client;

/**
 * When a client acks, like the real client (js/src/ack-batcher.js): cumulatively, the highest
 * {@code seq} seen, once 32 deliveries are unacked or a short delay after the first unacked one,
 * whichever comes first. The harness uses 10 ms by default ({@code --ack-delay-ms}); the JS
 * client's default is 100 ms. Not thread safe: one per connection, used on its event loop.
 */
public final class AckBatcher {
    public static final int BATCH = 32;
    public static final long DELAY_MS = 10;

    /** What to do after a delivery. */
    public enum Action {
        NONE,
        ARM_TIMER,
        ACK_NOW
    }

    private long highest;
    private long acked;
    private boolean timerArmed;

    public Action onMessage(long seq) {
        if (seq > highest) {
            highest = seq;
        }
        if (highest - acked >= BATCH) {
            return Action.ACK_NOW;
        }
        if (!timerArmed && highest > acked) {
            timerArmed = true;
            return Action.ARM_TIMER;
        }
        return Action.NONE;
    }

    /** The seq to ack now, or 0 when nothing is unacked. Disarms the timer. */
    public long take() {
        timerArmed = false;
        if (highest <= acked) {
            return 0;
        }
        acked = highest;
        return acked;
    }

    /** The timer fired: the seq to ack, or 0. */
    public long onTimer() {
        return take();
    }

    /** Forgets everything: a new connection numbers its deliveries from 1 again. */
    public void reset() {
        highest = 0;
        acked = 0;
        timerArmed = false;
    }

    public long highest() {
        return highest;
    }

    public long acked() {
        return acked;
    }
}
