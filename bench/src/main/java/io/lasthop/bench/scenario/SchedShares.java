package io.lasthop.bench.scenario;

import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.probe.ProcessProbes.SchedTimes;
import io.lasthop.bench.report.Fmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a phase's threads ran and where they waited for a core: each process's thread groups' CPU
 * time and run-queue wait over the phase ({@link ProcessProbes#schedTimes}), per delivered message.
 * A delivery crosses threads of the broker, the edge and the client; on a machine whose cores are
 * busy, each crossing can wait for one, and this is where the phases say how long. Keyed
 * {@code "process: thread group"}, and {@code "process: all"} for the whole process.
 */
final class SchedShares {
    /** Groups below this much CPU and wait over a phase are left out of its figures. */
    static final long MIN_NANOS = 1_000_000;

    private SchedShares() {}

    /** The thread groups of each named process, read now; the groups of a name's several processes summed. */
    static Map<String, Map<String, SchedTimes>> read(Map<String, List<Long>> pids) {
        Map<String, Map<String, SchedTimes>> m = new LinkedHashMap<>();
        pids.forEach((k, list) -> {
            Map<String, SchedTimes> groups = new TreeMap<>();
            for (long pid : list) {
                ProcessProbes.schedTimes(pid).forEach((g, t) -> groups.merge(g, t, SchedTimes::plus));
            }
            m.put(k, groups);
        });
        return m;
    }

    /**
     * Per thread group, its CPU and its wait in microseconds per delivery between two readings;
     * empty with no deliveries. A group missing from either reading, or one that lost a thread in
     * between (a figure went down), is left out, of its process's total too. Groups that ran and
     * waited less than {@link #MIN_NANOS} in all count in the total only.
     */
    static Map<String, Map<String, Double>> between(
            Map<String, Map<String, SchedTimes>> before, Map<String, Map<String, SchedTimes>> after, long deliveries) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (deliveries <= 0) {
            return out;
        }
        after.forEach((process, groups) -> {
            Map<String, SchedTimes> b = before.getOrDefault(process, Map.of());
            SchedTimes all = new SchedTimes(0, 0, 0);
            Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
            for (Map.Entry<String, SchedTimes> g : groups.entrySet()) {
                SchedTimes was = b.get(g.getKey());
                if (was == null) {
                    continue;
                }
                SchedTimes d = g.getValue().minus(was);
                if (d.cpuNanos() < 0 || d.waitNanos() < 0) {
                    continue; // a thread of the group ended in between
                }
                all = all.plus(d);
                if (d.cpuNanos() + d.waitNanos() >= MIN_NANOS) {
                    rows.put(process + ": " + g.getKey(), perDelivery(d, deliveries));
                }
            }
            out.put(process + ": all", perDelivery(all, deliveries));
            out.putAll(rows);
        });
        return out;
    }

    private static Map<String, Double> perDelivery(SchedTimes d, long deliveries) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cpu_us", round1(d.cpuNanos() / 1e3 / deliveries));
        m.put("wait_us", round1(d.waitNanos() / 1e3 / deliveries));
        return m;
    }

    /**
     * The report's table for one rate: for each process and thread group, CPU and run-queue wait per
     * delivery, a column for each list of phases (their mean), under its label; after each process's
     * total, its groups that waited most. Empty if no phase has the figures.
     */
    static String table(int rate, Map<String, List<Phase>> columns) {
        Map<String, Map<String, double[]>> mean = new LinkedHashMap<>();
        TreeSet<String> keys = new TreeSet<>();
        columns.forEach((peer, phases) -> {
            Map<String, double[]> sums = new LinkedHashMap<>();
            for (Phase p : phases) {
                if (p.sched() == null || p.sched().isEmpty()) {
                    continue;
                }
                p.sched().forEach((k, v) -> {
                    double[] s = sums.computeIfAbsent(k, x -> new double[3]);
                    s[0] += v.getOrDefault("cpu_us", 0.0);
                    s[1] += v.getOrDefault("wait_us", 0.0);
                    s[2]++;
                });
            }
            sums.values().forEach(s -> {
                s[0] /= s[2];
                s[1] /= s[2];
            });
            keys.addAll(sums.keySet());
            mean.put(peer, sums);
        });
        if (keys.isEmpty()) {
            return "";
        }
        List<String> order = new ArrayList<>();
        for (String k : keys) {
            if (k.endsWith(": all")) {
                order.add(k);
                String process = k.substring(0, k.length() - ": all".length());
                keys.stream()
                        .filter(g -> g.startsWith(process + ": ") && !g.endsWith(": all"))
                        .sorted((x, y) -> Double.compare(maxWait(mean, y), maxWait(mean, x)))
                        .limit(6)
                        .forEach(order::add);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("| ")
                .append(String.format(java.util.Locale.ROOT, "%,d", rate))
                .append(" msg/s: process: thread group |");
        columns.keySet().forEach(label -> md.append(' ').append(label).append(": CPU / wait, µs |"));
        md.append("\n|---|").append("---|".repeat(columns.size())).append('\n');
        for (String k : order) {
            boolean total = k.endsWith(": all");
            md.append("| ").append(total ? "**" + k + "**" : k).append(" |");
            for (String peer : columns.keySet()) {
                double[] v = mean.get(peer).get(k);
                md.append(' ')
                        .append(v == null ? "" : Fmt.num(v[0], 1) + " / " + Fmt.num(v[1], 1))
                        .append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static double maxWait(Map<String, Map<String, double[]>> mean, String key) {
        double max = 0;
        for (Map<String, double[]> m : mean.values()) {
            double[] v = m.get(key);
            if (v != null) {
                max = Math.max(max, v[1]);
            }
        }
        return max;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
