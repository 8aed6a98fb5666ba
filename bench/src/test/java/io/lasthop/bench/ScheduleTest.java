package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static final int[] SIZES = {64, 256, 1024};

    @Test
    void sameSeedSamePlan() {
        Schedule.Plan a = new Schedule(42, 1_000, SIZES).plan(2, 1, 1_000, 5_000);
        Schedule.Plan b = new Schedule(42, 1_000, SIZES).plan(2, 1, 1_000, 5_000);
        assertEquals(a, b);
    }

    @Test
    void otherSeedStepOrRoundOtherPlan() {
        Schedule s = new Schedule(42, 1_000, SIZES);
        Schedule.Plan base = s.plan(0, 1, 500, 2_000);
        assertNotEquals(base, new Schedule(43, 1_000, SIZES).plan(0, 1, 500, 2_000));
        assertNotEquals(base, s.plan(1, 1, 500, 2_000));
        assertNotEquals(base, s.plan(0, 2, 500, 2_000));
    }

    @Test
    void usersAndSizesStayInRangeAndAreAllUsed() {
        Schedule.Plan p = new Schedule(7, 50, SIZES).plan(0, 1, 100, 10_000);
        Set<Integer> users = new HashSet<>();
        Set<Integer> sizes = new HashSet<>();
        for (int i = 0; i < p.count(); i++) {
            assertTrue(p.user()[i] >= 0 && p.user()[i] < 50);
            users.add(p.user()[i]);
            sizes.add(p.size()[i]);
        }
        assertEquals(50, users.size());
        assertEquals(Set.of(64, 256, 1024), sizes);
    }

    @Test
    void dueTimesFollowTheRate() {
        Schedule.Plan p = new Schedule(1, 1, new int[] {64}).plan(0, 1, 2_000, 4_001);
        assertEquals(0, p.dueNanos(0));
        assertEquals(500_000, p.dueNanos(1));
        assertEquals(2_000_000_000L, p.dueNanos(4_000));
        assertEquals(64L * 4_001, p.totalBytes());
    }

    @Test
    void eachSendsOneMessageToEveryUserInTurn() {
        Schedule.Plan p = Schedule.each(5, 100, 64);
        assertEquals(5, p.count());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, p.user());
        assertArrayEquals(new int[] {64, 64, 64, 64, 64}, p.size());
        assertEquals(100, p.rate());
    }
}
