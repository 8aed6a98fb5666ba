package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedgerTest {
    @Test
    void countsUniqueDuplicatesAndLoss() {
        Ledger l = new Ledger(3, 100);
        for (int i = 0; i < 90; i++) {
            assertTrue(l.record(i, 1_000, 1_500));
        }
        assertFalse(l.record(5, 1_000, 2_000), "second arrival of 5");
        assertFalse(l.record(89, 1_000, 2_000), "second arrival of 89");
        assertFalse(l.record(100, 1_000, 2_000), "outside the phase");
        assertFalse(l.record(-1, 1_000, 2_000), "not ours");
        Ledger.Counts c = l.counts();
        assertEquals(90, c.unique());
        assertEquals(2, c.duplicates());
        assertEquals(2, c.foreign());
        assertEquals(10, c.lost());
        assertEquals(90, l.histogram().getTotalCount(), "duplicates are not timed twice");
    }

    @Test
    void concurrentRecordersLoseNothing() throws Exception {
        Ledger l = new Ledger(0, 200_000);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            final int off = t;
            // every number is recorded by two threads: one must win, the other count a duplicate
            Thread th = new Thread(() -> {
                for (int i = off % 2; i < 200_000; i += 2) {
                    l.record(i, 10, 20);
                }
            });
            th.start();
            ts.add(th);
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(200_000, l.unique());
        assertEquals(200_000, l.duplicates());
        assertEquals(0, l.counts().lost());
    }

    @Test
    void countsOfSeveralProcessesAddUp() {
        Ledger.Counts a = new Ledger.Counts(1_000, 600, 1, 0, 0);
        Ledger.Counts b = new Ledger.Counts(1_000, 399, 0, 2, 0);
        Ledger.Counts s = a.plus(b);
        assertEquals(1_000, s.expected());
        assertEquals(999, s.unique());
        assertEquals(1, s.duplicates());
        assertEquals(1, s.lost());
    }

    @Test
    void negativeLatencyIsClampedAndCounted() {
        Ledger l = new Ledger(0, 10);
        l.record(0, 2_000, 1_000);
        l.record(1, -1, 1_000);
        assertEquals(2, l.clockSkewed());
        assertEquals(2, l.histogram().getTotalCount());
    }

    @Test
    void ledgersRouteByPhaseAndCountStrays() {
        Ledgers ls = new Ledgers();
        ls.open(1, 10);
        assertTrue(ls.record(1, 3, 1, 2));
        assertFalse(ls.record(2, 3, 1, 2));
        assertFalse(ls.record(-1, 3, 1, 2));
        assertEquals(2, ls.strays());
        ls.close(1);
        assertFalse(ls.record(1, 4, 1, 2));
        assertEquals(3, ls.strays());
    }
}
