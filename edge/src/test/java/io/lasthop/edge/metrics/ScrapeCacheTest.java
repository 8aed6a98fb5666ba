package io.lasthop.edge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScrapeCacheTest {
    private final AtomicInteger renderings = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000);
    private final ScrapeCache cache =
            new ScrapeCache(() -> "page " + renderings.incrementAndGet() + "\n", 100, now::get);

    @Test
    void aFloodOfRequestsWithinTheMaxAgeRendersThePageOnce() {
        for (int i = 0; i < 1_000; i++) {
            assertEquals("page 1\n", text(cache.page()));
            if (i == 500) {
                now.addAndGet(99);
            }
        }
        assertEquals(1, renderings.get());
    }

    @Test
    void aPageAsOldAsTheMaxAgeIsRenderedAgain() {
        assertEquals("page 1\n", text(cache.page()));
        now.addAndGet(99);
        assertEquals("page 1\n", text(cache.page()));
        now.addAndGet(1);
        assertEquals("page 2\n", text(cache.page()));
        assertEquals(2, renderings.get());
    }

    private static String text(byte[] page) {
        return new String(page, StandardCharsets.UTF_8);
    }
}
