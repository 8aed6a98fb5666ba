package io.lasthop.edge.metrics;

import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How late each event loop runs a task due every {@code period}: the time a delivery, a read or a
 * timer waits behind whatever holds the loop (a long read batch, a slow handler, a GC pause, a
 * core taken by other work). Node.js has {@code monitorEventLoopDelay} for the same question; a
 * bystander's tail latency is this delay plus the broker's. One scheduled task per loop.
 */
public final class LoopDelay {
    private LoopDelay() {}

    /** Records every loop of {@code loops} into {@code delays} until the group shuts down. */
    public static void watch(EventExecutorGroup loops, Timer delays, long period, TimeUnit unit) {
        long periodNanos = unit.toNanos(period);
        for (EventExecutor loop : loops) {
            schedule(loop, delays, periodNanos);
        }
    }

    private static void schedule(EventExecutor loop, Timer delays, long periodNanos) {
        if (loop.isShuttingDown()) {
            return;
        }
        long due = System.nanoTime() + periodNanos;
        try {
            loop.schedule(
                    () -> {
                        delays.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
                        schedule(loop, delays, periodNanos);
                    },
                    periodNanos,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The loop began shutting down since the check above.
        }
    }
}
