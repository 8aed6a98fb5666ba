package io.lasthop.edge.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoopGroup;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class LoopDelayTest {

    @Test
    void aLoopHeldByATaskShowsTheDelayOfWhatWaitedBehindIt() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            Timer delays = Timer.builder("delay").register(new SimpleMeterRegistry());
            LoopDelay.watch(loops, delays, 10, TimeUnit.MILLISECONDS);
            waitFor(() -> delays.count() >= 10, "the probes running");

            loops.next().submit(() -> sleep(300)).sync();
            waitFor(
                    () -> delays.max(TimeUnit.SECONDS) >= 0.2,
                    "a delay of about 300 ms recorded, max " + delays.max(TimeUnit.SECONDS));
            long before = delays.count();
            waitFor(() -> delays.count() > before + 10, "the probes going on after the delay");
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A summary in seconds would count 3 ms in the bucket of 1 s: its minimum expected value is 1. */
    @Test
    void theEdgesHistogramCountsADelayInItsOwnBucket() {
        EdgeMetrics metrics = new EdgeMetrics();
        metrics.loopDelay.record(3, TimeUnit.MILLISECONDS);
        String page = metrics.scrape();
        assertTrue(page.contains("lasthop_event_loop_delay_seconds_bucket{le=\"0.001\"} 0"), page);
        assertTrue(page.contains("lasthop_event_loop_delay_seconds_bucket{le=\"0.005\"} 1"), page);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }
}
