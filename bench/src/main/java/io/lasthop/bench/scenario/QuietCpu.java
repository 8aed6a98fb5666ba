package io.lasthop.bench.scenario;

import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.probe.ProcessProbes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What holding idle sessions costs in CPU: each process's CPU time over a quiet window (nothing
 * published, nothing connecting), per second and per session, in µs/s. The edge's figure is its
 * own; the broker's covers every session it holds (A's and B's when both are connected).
 */
final class QuietCpu {
    private QuietCpu() {}

    static Map<String, Object> measure(RunContext ctx, Fleet fleet, int seconds, long edgeSessions, long rawSessions)
            throws InterruptedException {
        System.err.printf("quiet window: %d s, nothing published%n", seconds);
        long harness = fleet.pids().get(0);
        double e0 = ctx.edgePid > 0 ? ProcessProbes.cpuSeconds(ctx.edgePid) : Double.NaN;
        double b0 = ctx.brokerPid > 0 ? ProcessProbes.cpuSeconds(ctx.brokerPid) : Double.NaN;
        double h0 = ProcessProbes.cpuSeconds(harness);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        double wall = (System.nanoTime() - t0) / 1e9;
        double e = (ctx.edgePid > 0 ? ProcessProbes.cpuSeconds(ctx.edgePid) : Double.NaN) - e0;
        double b = (ctx.brokerPid > 0 ? ProcessProbes.cpuSeconds(ctx.brokerPid) : Double.NaN) - b0;
        double h = ProcessProbes.cpuSeconds(harness) - h0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", Math.round(wall * 10) / 10.0);
        m.put("edge_sessions", edgeSessions);
        m.put("raw_consumers", rawSessions);
        m.put("edge_cpu_s", e);
        m.put("broker_cpu_s", b);
        m.put("harness_cpu_s", h);
        m.put("edge_cores", e / wall);
        m.put("broker_cores", b / wall);
        m.put("edge_us_per_s_per_session", edgeSessions == 0 ? Double.NaN : e * 1e6 / wall / edgeSessions);
        long all = edgeSessions + rawSessions;
        m.put("broker_us_per_s_per_session", all == 0 ? Double.NaN : b * 1e6 / wall / all);
        return m;
    }

    /**
     * CPU µs per second per session of each of {@code pids} over {@code seconds} of quiet; also
     * "seconds", the window's length. Empty when {@code seconds} is 0.
     */
    static Map<String, Double> perSession(Map<String, Long> pids, int seconds, long sessions)
            throws InterruptedException {
        Map<String, Double> m = new LinkedHashMap<>();
        if (seconds <= 0 || sessions <= 0) {
            return m;
        }
        System.err.printf("  quiet window: %d s%n", seconds);
        Map<String, Double> c0 = new LinkedHashMap<>();
        pids.forEach((k, pid) -> c0.put(k, ProcessProbes.cpuSeconds(pid)));
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        double wall = (System.nanoTime() - t0) / 1e9;
        m.put("seconds", Math.round(wall * 10) / 10.0);
        pids.forEach((k, pid) -> m.put(k, (ProcessProbes.cpuSeconds(pid) - c0.get(k)) * 1e6 / wall / sessions));
        return m;
    }
}
