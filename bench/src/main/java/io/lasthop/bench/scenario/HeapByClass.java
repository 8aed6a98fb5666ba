package io.lasthop.bench.scenario;

import io.lasthop.bench.probe.ProcessProbes.ClassUse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What one session holds on the edge's heap, by class: the live heap by class at the end of a ramp
 * minus the same before it, divided by the sessions opened. A class histogram counts only what a
 * full GC found reachable, so the rows are what the sessions keep, not what opening them allocated.
 */
record HeapByClass(List<Row> rows, double totalBytes) {
    /** One class: live instances and bytes per session (negative when the class shrank). */
    record Row(String className, double instances, double bytes) {}

    static final HeapByClass NONE = new HeapByClass(List.of(), Double.NaN);

    /**
     * The {@code top} classes that grew most in bytes per session, largest first (by name among
     * equals), and the growth of
     * every class together per session; {@link #NONE} if either histogram is missing.
     */
    static HeapByClass perSession(Map<String, ClassUse> before, Map<String, ClassUse> after, long sessions, int top) {
        if (before.isEmpty() || after.isEmpty() || sessions <= 0) {
            return NONE;
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, ClassUse> e : after.entrySet()) {
            ClassUse b = before.getOrDefault(e.getKey(), new ClassUse(0, 0));
            rows.add(new Row(
                    e.getKey(),
                    (double) (e.getValue().instances() - b.instances()) / sessions,
                    (double) (e.getValue().bytes() - b.bytes()) / sessions));
        }
        // By name among equals, so that a report does not depend on the histograms' map order.
        rows.sort(Comparator.comparingDouble(Row::bytes).reversed().thenComparing(Row::className));
        double total = (double) (bytes(after) - bytes(before)) / sessions;
        return new HeapByClass(List.copyOf(rows.subList(0, Math.min(top, rows.size()))), total);
    }

    private static long bytes(Map<String, ClassUse> histogram) {
        return histogram.values().stream().mapToLong(ClassUse::bytes).sum();
    }
}
