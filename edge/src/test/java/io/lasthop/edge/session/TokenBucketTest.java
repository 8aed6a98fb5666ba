package io.lasthop.edge.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void burstThenRate() {
        TokenBucket b = new TokenBucket(2, 3, 0);
        assertTrue(b.tryTake(0));
        assertTrue(b.tryTake(0));
        assertTrue(b.tryTake(0));
        assertFalse(b.tryTake(0), "the burst is spent");
        assertFalse(b.tryTake(SECOND / 4), "half a token after 250 ms");
        assertTrue(b.tryTake(SECOND / 2), "one token after 500 ms at 2/s");
        assertFalse(b.tryTake(SECOND / 2));
    }

    @Test
    void neverHoldsMoreThanItsCapacity() {
        TokenBucket b = new TokenBucket(100, 2, 0);
        long later = 60 * SECOND;
        assertTrue(b.tryTake(later));
        assertTrue(b.tryTake(later));
        assertFalse(b.tryTake(later));
    }
}
