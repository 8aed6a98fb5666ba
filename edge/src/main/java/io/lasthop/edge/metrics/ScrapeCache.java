package io.lasthop.edge.metrics;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code /metrics} page, rendered at most once per {@code maxAge} however many ask. Rendering it
 * takes about a millisecond of an event loop; when {@code /metrics} is served on the client port,
 * anyone can ask for it, and 20 connections pipelining {@code GET /metrics} made the edge render it
 * 200 times a second, on the loops that also serve every session. A scraper asks every few seconds
 * and cannot tell a page 100 ms old from a fresh one.
 */
public final class ScrapeCache {
    /** How old a page may be when it is served again: 10 renderings a second at most. */
    public static final long MAX_AGE_MS = 100;

    private record Page(byte[] bytes, long renderedAt) {}

    private final Supplier<String> render;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    private final AtomicReference<Page> last = new AtomicReference<>();

    public ScrapeCache(Supplier<String> render) {
        this(render, TimeUnit.MILLISECONDS.toNanos(MAX_AGE_MS), System::nanoTime);
    }

    ScrapeCache(Supplier<String> render, long maxAgeNanos, LongSupplier nanoClock) {
        this.render = render;
        this.maxAgeNanos = maxAgeNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * The page as UTF-8. Loops that find it stale at the same moment may each render it: no loop
     * ever waits for another's rendering.
     */
    public byte[] page() {
        long now = nanoClock.getAsLong();
        Page p = last.get();
        if (p == null || now - p.renderedAt >= maxAgeNanos) {
            p = new Page(render.get().getBytes(StandardCharsets.UTF_8), now);
            last.set(p);
        }
        return p.bytes;
    }
}
