package io.lasthop.edge.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FloodPenaltiesTest {
    private static final long SECOND = 1_000_000_000L;

    /** Penalties of exactly their configured length, for tests of everything but the random part. */
    private static FloodPenalties exact(Duration penalty) {
        return new FloodPenalties(penalty, bound -> 0);
    }

    @Test
    void aPenaltyLastsItsLengthFromTheLastFlood() {
        FloodPenalties p = exact(Duration.ofSeconds(10));
        p.penalise("u", 0);
        assertEquals(10 * SECOND, p.remainingNanos("u", 0));
        assertEquals(SECOND, p.remainingNanos("u", 9 * SECOND));
        assertEquals(0, p.remainingNanos("other", 0));
        p.penalise("u", 5 * SECOND);
        assertEquals(6 * SECOND, p.remainingNanos("u", 9 * SECOND));
        assertEquals(0, p.remainingNanos("u", 15 * SECOND));
        assertEquals(0, p.remainingNanos("u", 14 * SECOND), "an ended penalty is forgotten");
    }

    @Test
    void usersPenalisedTogetherComeBackApart() {
        FloodPenalties p = new FloodPenalties(Duration.ofSeconds(10));
        int users = 60;
        TreeSet<Long> ends = new TreeSet<>();
        for (int i = 0; i < users; i++) {
            p.penalise("u" + i, 0);
            long left = p.remainingNanos("u" + i, 0);
            assertTrue(left >= 10 * SECOND && left < 15 * SECOND, "between the penalty and 1.5 times it: " + left);
            ends.add(left / (SECOND / 10));
        }
        // 60 draws from 50 tenths of a second: all in a handful of them would be a herd again.
        assertTrue(ends.size() >= 20, "the comebacks spread over at least 20 tenths of a second: " + ends);
        assertTrue(ends.last() - ends.first() >= 30, "and over at least 3 s: " + ends);
    }

    @Test
    void zeroTurnsPenaltiesOff() {
        FloodPenalties p = new FloodPenalties(Duration.ZERO);
        p.penalise("u", 0);
        assertEquals(0, p.remainingNanos("u", 0));
    }

    @Test
    void pastTheBoundTheOldestPenaltyIsForgotten() {
        FloodPenalties p = exact(Duration.ofSeconds(10));
        for (int i = 0; i <= FloodPenalties.MAX_USERS; i++) {
            p.penalise("u" + i, i);
        }
        assertEquals(0, p.remainingNanos("u0", FloodPenalties.MAX_USERS));
        assertEquals(10 * SECOND, p.remainingNanos("u1", 1), "the next oldest is kept");
        assertEquals(10 * SECOND, p.remainingNanos("u" + FloodPenalties.MAX_USERS, FloodPenalties.MAX_USERS));
    }
}
