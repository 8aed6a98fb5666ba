package io.lasthop.bench.scenario;

import io.lasthop.bench.Ledger;
import java.time.Duration;

/**
 * The wait for a phase's last deliveries: the counts are polled until every expected delivery has
 * arrived or the limit passes, then read once more after a short grace, so that a late duplicate
 * is still counted.
 */
record Drain(Ledger.Counts counts, long drainMs, long endNanos, boolean drained) {
    private static final long POLL_MS = 50;
    private static final long LATE_MS = 200;

    /** Where the counts come from: this process's ledger, or every load-generator process. */
    interface Counter {
        Ledger.Counts get() throws Exception;
    }

    static Drain await(Counter counts, long expected, Duration limit) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Ledger.Counts c = counts.get();
        while (c.unique() < expected && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MS);
            c = counts.get();
        }
        long end = System.nanoTime();
        boolean drained = c.unique() >= expected;
        Thread.sleep(LATE_MS);
        return new Drain(counts.get(), (end - start) / 1_000_000, end, drained);
    }
}
