package io.lasthop.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one phase delivered, in one process: which message numbers arrived (a bit set, so a second
 * arrival is a duplicate), and the end-to-end latency of first arrivals. Safe for many recording
 * threads (event loops, AMQP consumer threads).
 */
public final class Ledger {
    /** Latencies are recorded in microseconds, up to 10 minutes, with 3 significant digits. */
    public static final long MAX_LATENCY_US = 600_000_000L;

    private final int phase;
    private final long expected;
    private final AtomicLongArray bits;
    private final LongAdder unique = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder clockSkewed = new LongAdder();
    private final Recorder latency = new Recorder(1, MAX_LATENCY_US, 3);
    private final Histogram total = new Histogram(1, MAX_LATENCY_US, 3);

    public Ledger(int phase, long expected) {
        if (expected < 0 || expected > Integer.MAX_VALUE * 32L) {
            throw new IllegalArgumentException("expected out of range: " + expected);
        }
        this.phase = phase;
        this.expected = expected;
        this.bits = new AtomicLongArray((int) ((expected + 63) / 64) + 1);
    }

    public int phase() {
        return phase;
    }

    public long expected() {
        return expected;
    }

    /**
     * Records the arrival of message number {@code n}, sent at {@code sentUs} and decoded at
     * {@code nowUs}. Returns false for a duplicate or a number outside the phase.
     */
    public boolean record(long n, long sentUs, long nowUs) {
        if (n < 0 || n >= expected) {
            foreign.increment();
            return false;
        }
        int word = (int) (n >>> 6);
        long mask = 1L << (n & 63);
        while (true) {
            long old = bits.get(word);
            if ((old & mask) != 0) {
                duplicates.increment();
                return false;
            }
            if (bits.compareAndSet(word, old, old | mask)) {
                break;
            }
        }
        unique.increment();
        long lat = nowUs - sentUs;
        if (sentUs <= 0 || lat < 0) {
            clockSkewed.increment();
            lat = Math.max(lat, 0);
        }
        latency.recordValue(Math.min(Math.max(lat, 1), MAX_LATENCY_US));
        return true;
    }

    /** Whether message number {@code n} has arrived. */
    public boolean has(long n) {
        if (n < 0 || n >= expected) {
            return false;
        }
        return (bits.get((int) (n >>> 6)) & (1L << (n & 63))) != 0;
    }

    public long unique() {
        return unique.sum();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    /** Arrivals whose number was outside this phase: counted, never recorded. */
    public long foreign() {
        return foreign.sum();
    }

    /** Arrivals without a usable send time, or that seemed to arrive before they were sent. */
    public long clockSkewed() {
        return clockSkewed.sum();
    }

    /** All latencies recorded so far (cumulative across calls). */
    public synchronized Histogram histogram() {
        total.add(latency.getIntervalHistogram());
        return total.copy();
    }

    public Counts counts() {
        return new Counts(expected, unique(), duplicates(), foreign(), clockSkewed());
    }

    /** Delivery counts of one phase; {@code expected} is what the publisher sent and confirmed. */
    public record Counts(long expected, long unique, long duplicates, long foreign, long clockSkewed) {
        public long lost() {
            return Math.max(0, expected - unique);
        }

        public Counts plus(Counts o) {
            // The same phase seen by several processes: each user lives in exactly one process, so
            // the unique sets are disjoint and add up; expected is the phase's, not a sum.
            return new Counts(
                    expected,
                    unique + o.unique,
                    duplicates + o.duplicates,
                    foreign + o.foreign,
                    clockSkewed + o.clockSkewed);
        }
    }
}
