package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.probe.ProcessProbes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One publish phase of the {@code rate} and {@code fanout} scenarios: a peer at one rate step and
 * round. {@code delivered.expected()} is what it had to deliver, and the figures per message
 * ({@code cpuPer1k}, client bytes) are per delivery: one per message when messages go to users,
 * many when they go to a topic. {@code deliverySeconds} runs from the first publish to the end of
 * the drain; {@code sched} is {@link SchedShares#between}. Its components are the phase's fields in
 * the report's JSON.
 */
record Phase(
        int index,
        String peer,
        int step,
        int round,
        int targetRate,
        boolean warmup,
        long planned,
        double meanPayload,
        Publisher.Result published,
        Ledger.Counts delivered,
        long lost,
        LatencySummary latency,
        String histogram,
        long drainMs,
        boolean drained,
        double deliverySeconds,
        double wallSeconds,
        Map<String, Double> cpuSeconds,
        Map<String, Double> cpuPer1k,
        double clientBytesReadPerMsg,
        double clientBytesWrittenPerMsg,
        Map<String, Long> broker,
        List<String> saturation,
        Map<String, Map<String, Double>> sched) {
    boolean saturated() {
        return !saturation.isEmpty();
    }

    /**
     * Runs one phase: publishes the plan to the target, waits for its deliveries (at most
     * {@code --drain-seconds}), and reads latency, delivery counts, CPU per process and, if asked,
     * broker memory.
     */
    static Phase run(
            RunContext ctx,
            Fleet fleet,
            Publisher pub,
            String peer,
            PhaseTarget target,
            int index,
            int step,
            int round,
            Schedule.Plan plan,
            boolean warmup,
            int stepSeconds,
            boolean brokerMemory)
            throws Exception {
        return run(
                ctx,
                fleet,
                pub,
                peer,
                target,
                index,
                step,
                round,
                plan,
                warmup,
                stepSeconds,
                brokerMemory,
                ctx.edgePid);
    }

    /**
     * As above, for a peer served by the edge process {@code edgePid} (a peer whose name starts
     * with {@code lasthop} is charged that edge's CPU).
     */
    static Phase run(
            RunContext ctx,
            Fleet fleet,
            Publisher pub,
            String peer,
            PhaseTarget target,
            int index,
            int step,
            int round,
            Schedule.Plan plan,
            boolean warmup,
            int stepSeconds,
            boolean brokerMemory,
            long edgePid)
            throws Exception {
        System.err.printf(
                "  phase %d: %s %s%d msg/s x %d, at %s%n",
                index,
                peer,
                warmup ? "warm-up " : "",
                plan.rate(),
                plan.count(),
                java.time.LocalTime.now().withNano(0));
        fleet.openPhase(index, target.ledgerSize(plan));
        Map<String, Long> pids = pids(ctx, fleet, peer, edgePid);
        Map<String, Double> cpu0 = cpu(pids);
        Map<String, List<Long>> schedPids = schedPids(pids);
        var sched0 = SchedShares.read(schedPids);
        long wall0 = System.nanoTime();
        Map<String, Object> st0 = peer.startsWith("lasthop") ? fleet.stats() : Map.of();
        // (Web-STOMP byte counts are in the run's setup, not per phase.)
        Publisher.Result res = target.publish(
                pub, index, plan, Duration.ofSeconds(stepSeconds * 3L).toNanos());
        long expected = target.expected(plan, res);
        Drain drain = Drain.await(() -> fleet.counts(index), expected, ctx.drainLimit());
        Ledger.Counts c = drain.counts();
        long drainMs = drain.drainMs();
        boolean drained = drain.drained();
        double deliverySeconds = (drain.endNanos() - wall0) / 1e9;
        Map<String, Double> cpu1 = cpu(pids);
        var sched1 = SchedShares.read(schedPids);
        double wall = (System.nanoTime() - wall0) / 1e9;
        Map<String, Object> st1 = peer.startsWith("lasthop") ? fleet.stats() : Map.of();
        Histogram h = fleet.histogram(index);
        fleet.closePhase(index);
        Map<String, Long> broker =
                !brokerMemory ? null : BrokerProbes.memory(peer.equals("web-stomp") ? ctx.stomp.nodeArgs() : List.of());

        Ledger.Counts counts = new Ledger.Counts(expected, c.unique(), c.duplicates(), c.foreign(), c.clockSkewed());
        Map<String, Double> cpuSec = new LinkedHashMap<>();
        Map<String, Double> per1k = new LinkedHashMap<>();
        for (String k : pids.keySet()) {
            double d = cpu1.get(k) - cpu0.get(k);
            cpuSec.put(k, round3(d));
            per1k.put(k, c.unique() == 0 ? Double.NaN : round3(d / (c.unique() / 1000.0)));
        }
        LatencySummary lat = LatencySummary.of(h);
        List<String> sat = new ArrayList<>();
        if (res.ratePerSecond() < 0.95 * plan.rate()) {
            sat.add(String.format(Locale.ROOT, "publisher reached %.0f/s", res.ratePerSecond()));
        }
        if (!drained) {
            sat.add("not drained in " + drainMs + " ms");
        } else if (drainMs > 2_000) {
            sat.add("drain took " + drainMs + " ms");
        }
        if (lat.p99Us() > 1_000_000) {
            sat.add("p99 over 1 s");
        }
        if (res.nacked() > 0) {
            sat.add(res.nacked() + " nacked");
        }
        double read = Double.NaN;
        double written = Double.NaN;
        if (!st0.isEmpty() && c.unique() > 0) {
            read = (num(st1, "bytes_read") - num(st0, "bytes_read")) / (double) c.unique();
            written = (num(st1, "bytes_written") - num(st0, "bytes_written")) / (double) c.unique();
        }
        return new Phase(
                index,
                peer,
                step,
                round,
                plan.rate(),
                warmup,
                plan.count(),
                plan.totalBytes() / (double) Math.max(1, plan.count()),
                res,
                counts,
                counts.lost(),
                lat,
                LatencySummary.encode(h),
                drainMs,
                drained,
                round3(deliverySeconds),
                round3(wall),
                cpuSec,
                per1k,
                round3(read),
                round3(written),
                broker,
                sat,
                SchedShares.between(sched0, sched1, c.unique()));
    }

    /** The processes of {@link #pids} for {@link SchedShares}, the client workers as one. */
    private static Map<String, List<Long>> schedPids(Map<String, Long> pids) {
        Map<String, List<Long>> m = new LinkedHashMap<>();
        pids.forEach((k, pid) -> m.computeIfAbsent(
                        k.startsWith("client worker") ? "client workers" : k, x -> new ArrayList<>())
                .add(pid));
        return m;
    }

    private static long num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number x ? x.longValue() : 0;
    }

    private static double round3(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    /** The processes whose CPU a phase is charged: edge (A only), broker, this process, workers. */
    private static Map<String, Long> pids(RunContext ctx, Fleet fleet, String peer, long edgePid) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (peer.startsWith("lasthop") && edgePid > 0) {
            m.put("edge", edgePid);
        }
        if (peer.equals("web-stomp")) {
            if (ctx.stomp.pid() > 0) {
                m.put("broker", ctx.stomp.pid());
            }
        } else if (ctx.brokerPid > 0) {
            m.put("broker", ctx.brokerPid);
        }
        List<Long> p = fleet.pids();
        m.put("harness", p.get(0));
        if (peer.startsWith("lasthop")) {
            for (int i = 1; i < p.size(); i++) {
                m.put("client worker " + i, p.get(i));
            }
        }
        return m;
    }

    private static Map<String, Double> cpu(Map<String, Long> pids) {
        Map<String, Double> m = new LinkedHashMap<>();
        pids.forEach((k, pid) -> m.put(k, ProcessProbes.cpuSeconds(pid)));
        return m;
    }
}
