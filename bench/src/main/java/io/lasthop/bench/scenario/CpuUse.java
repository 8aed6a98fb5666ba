package io.lasthop.bench.scenario;

import io.lasthop.bench.probe.ProcessProbes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The CPU time processes spent across one operation (a ramp segment, a resume), read from /proc
 * just before and just after it, and sums of such per-process figures.
 */
final class CpuUse {
    private CpuUse() {}

    /** An operation to measure. */
    interface Operation<T> {
        T run() throws Exception;
    }

    /**
     * What the operation returned, and the CPU seconds each process spent during it: the named
     * {@code pids}, and the load generator's processes summed as "load generator" (a process
     * started during the operation counts from zero). A process that could not be read is left out.
     */
    record Measured<T>(T result, Map<String, Double> seconds) {}

    static <T> Measured<T> during(Map<String, Long> pids, Supplier<List<Long>> generator, Operation<T> op)
            throws Exception {
        Map<String, Double> before = ProcessProbes.cpuSeconds(pids, generator.get());
        T result = op.run();
        Map<String, Double> after = ProcessProbes.cpuSeconds(pids, generator.get());
        Map<String, Double> spent = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            Double b = before.get(k);
            if (b != null && b >= 0 && v >= 0) {
                spent.put(k, v - b);
            }
        });
        return new Measured<>(result, spent);
    }

    /** The figures of the named processes summed, missing and NaN ones left out; NaN if none is there. */
    static double sum(Map<String, Double> byProcess, String... keys) {
        double sum = 0;
        boolean any = false;
        for (String k : keys) {
            Double v = byProcess.get(k);
            if (v != null && !Double.isNaN(v)) {
                sum += v;
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }
}
