package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mix's loop of connections per abuser, with connections that need no network. */
class AbuseMixTest {
    private static final AbuseSettings FAST = new AbuseSettings(1_000, 1, 1, 10, 10, 0, 3, "/metrics");
    private static final long FAR = TimeUnit.HOURS.toNanos(1);

    private final EventLoop loop = new DefaultEventLoop();
    private final AtomicInteger made = new AtomicInteger();
    /** Counted down by every connection once it is open. */
    private final CountDownLatch open = new CountDownLatch(3);

    private final List<String> resumes = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A connection that opens at once and, when {@code edgeEnds}, is ended by the edge at once. */
    private final class Scripted extends AbusiveConnection {
        private final boolean edgeEnds;
        private final int number;

        Scripted(AbuseKind kind, AbuseTally.Counters counters, boolean edgeEnds) {
            super(kind, FAST, counters);
            this.edgeEnds = edgeEnds;
            this.number = made.incrementAndGet();
        }

        @Override
        void start() {
            loop.execute(() -> {
                opened(loop);
                open.countDown();
                if (edgeEnds) {
                    endedByEdge("closed by the test");
                }
            });
        }

        @Override
        void tick() {}

        @Override
        void closeSockets() {}

        @Override
        String resumeQuery() {
            return "&session=s" + number;
        }

        @Override
        String sessionQueue() {
            return "q" + number;
        }
    }

    private AbuseMix mix(boolean edgeEnds) {
        return new AbuseMix(
                FAST,
                (kind, user, resume, counters) -> {
                    resumes.add(user + resume);
                    return new Scripted(kind, counters, edgeEnds);
                },
                () -> {});
    }

    @Test
    void anAbuserWhoseConnectionsTheEdgeEndsOpensAtMostItsBoundAndResumesEachTime() throws Exception {
        try (AbuseMix mix = mix(true)) {
            mix.start(List.of("u0", "u1"), List.of(AbuseKind.SSE_PINGER, AbuseKind.SILENT), System.nanoTime() + FAR);
            assertEquals(0, mix.await(Duration.ofSeconds(10)), "every abuser finished on its own");
            assertEquals(6, made.get(), "3 connections for each of 2 abusers");
            Map<String, Object> sse = mix.tally().snapshot().get("sse-pinger");
            assertEquals(1L, sse.get("abusers"));
            assertEquals(3L, sse.get("connections"));
            assertEquals(Map.of("closed by the test", 3L), sse.get("ended_by_edge"));
            assertEquals(0L, sse.get("open_at_end"));
            assertEquals(6, mix.sessionQueues().size());
            // Each abuser's first connection is new, the next resume the session of the one before.
            assertEquals(3, resumes.stream().filter(r -> r.startsWith("u0")).count());
            assertEquals(
                    "u0",
                    resumes.stream().filter(r -> r.startsWith("u0")).findFirst().orElseThrow());
            assertEquals(
                    2,
                    resumes.stream().filter(r -> r.startsWith("u0&session=s")).count());
        }
    }

    @Test
    void stopClosesTheOpenConnectionsAndCountsThemOpenAtTheEnd() throws Exception {
        try (AbuseMix mix = mix(false)) {
            mix.start(List.of("u0", "u1", "u2"), List.of(AbuseKind.values()), System.nanoTime() + FAR);
            assertTrue(open.await(10, TimeUnit.SECONDS), "3 connections open");
            assertEquals(0, mix.stop(Duration.ofSeconds(10)), "every abuser finished");
            Map<String, Map<String, Object>> t = mix.tally().snapshot();
            for (String kind : List.of("websocket-pinger", "sse-pinger", "poll-pinger")) {
                assertEquals(1L, t.get(kind).get("connections"), kind);
                assertEquals(1L, t.get(kind).get("open_at_end"), kind);
            }
            assertEquals(0L, t.get("silent-socket").get("connections"), "only 3 abusers, of the first 3 kinds");
        }
    }

    @Test
    void noConnectionOpensAfterTheDeadline() throws Exception {
        try (AbuseMix mix = mix(true)) {
            mix.start(List.of("u0", "u1"), List.of(AbuseKind.PIPELINER), System.nanoTime() - 1);
            assertEquals(0, mix.stop(Duration.ofSeconds(10)));
            assertEquals(0, made.get());
            assertEquals(2L, mix.tally().snapshot().get("pipelined-gets").get("abusers"));
        }
    }
}
