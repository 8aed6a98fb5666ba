package io.lasthop.edge.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition that has no event to wait on (broker state, queue depth), with a deadline. */
public final class Await {
    private Await() {}

    public static void until(BooleanSupplier condition, Duration timeout, String what) {
        until(condition, timeout, Duration.ofMillis(20), what);
    }

    /** With a poll interval, for probes that disturb what they watch (a declare resets x-expires). */
    public static void until(BooleanSupplier condition, Duration timeout, Duration interval, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            LockSupport.parkNanos(interval.toNanos());
        }
    }
}
