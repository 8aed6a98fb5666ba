package io.lasthop.edge.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.testing.Await;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class LoopDelayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aLoopHeldByATaskShowsTheDelayOfWhatWaitedBehindIt() throws Exception {
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            Timer delays = Timer.builder("delay").register(new SimpleMeterRegistry());
            LoopDelay.watch(loops, delays, 10, TimeUnit.MILLISECONDS);

            // The stall under test: the loop's thread held for 300 ms, as a slow handler would.
            loops.next().submit(() -> hold(300)).sync();
            Await.until(
                    () -> delays.max(TimeUnit.SECONDS) >= 0.2,
                    WAIT,
                    "a delay of about 300 ms recorded, max " + delays.max(TimeUnit.SECONDS));
            long before = delays.count();
            Await.until(() -> delays.count() > before + 10, WAIT, "the probes going on after the delay");
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

    private static void hold(long millis) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
