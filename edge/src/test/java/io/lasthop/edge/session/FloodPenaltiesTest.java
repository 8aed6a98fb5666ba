package io.lasthop.edge.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FloodPenaltiesTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aPenaltyLastsItsLengthFromTheLastFlood() {
        FloodPenalties p = new FloodPenalties(Duration.ofSeconds(10));
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
    void zeroTurnsPenaltiesOff() {
        FloodPenalties p = new FloodPenalties(Duration.ZERO);
        p.penalise("u", 0);
        assertEquals(0, p.remainingNanos("u", 0));
    }

    @Test
    void pastTheBoundTheOldestPenaltyIsForgotten() {
        FloodPenalties p = new FloodPenalties(Duration.ofSeconds(10));
        for (int i = 0; i <= FloodPenalties.MAX_USERS; i++) {
            p.penalise("u" + i, i);
        }
        assertEquals(0, p.remainingNanos("u0", FloodPenalties.MAX_USERS));
        assertEquals(10 * SECOND, p.remainingNanos("u1", 1), "the next oldest is kept");
        assertEquals(10 * SECOND, p.remainingNanos("u" + FloodPenalties.MAX_USERS, FloodPenalties.MAX_USERS));
    }
}
