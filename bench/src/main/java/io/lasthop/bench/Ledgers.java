package io.lasthop.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The open ledgers of one process, by phase; arrivals for no open phase are counted as strays. */
public final class Ledgers {
    private final ConcurrentHashMap<Integer, Ledger> byPhase = new ConcurrentHashMap<>();
    private final LongAdder strays = new LongAdder();

    public Ledger open(int phase, long expected) {
        Ledger l = new Ledger(phase, expected);
        byPhase.put(phase, l);
        return l;
    }

    public Ledger get(int phase) {
        return byPhase.get(phase);
    }

    public void close(int phase) {
        byPhase.remove(phase);
    }

    /** Records a harness message; returns false for a duplicate, a foreign number or a stray. */
    public boolean record(int phase, long n, long sentUs, long nowUs) {
        Ledger l = phase < 0 ? null : byPhase.get(phase);
        if (l == null) {
            strays.increment();
            return false;
        }
        return l.record(n, sentUs, nowUs);
    }

    /** Messages that arrived for a phase that was not open (late, or not ours). */
    public long strays() {
        return strays.sum();
    }
}
