package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.Probes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Idle sessions, ramped: A = N edge sessions (websocket, sse, stream or poll transport),
 * B = N raw-AMQP consumers, one queue each, interleaved A/B/A/B. At each checkpoint of the ramp:
 * heap after a full GC, RSS, broker memory, kernel socket memory. Then everything is closed and
 * its queues deleted.
 */
public final class IdleScenario {
    private IdleScenario() {}

    record Ramp(String peer, int round, long requested, long opened, long failed, Map<String, Long> failures,
                double connectPerSecond, LatencySummary connectLatency, Snapshot base, List<Snapshot> checkpoints,
                Probes.AmqpUse amqp, int queuesDeleted, Map<String, Object> clientStats,
                Map<String, Double> cpuMsPerSession) {
        Map<String, Double> perSession() {
            return checkpoints.get(checkpoints.size() - 1).perSession(base);
        }
    }

    public static Section run(RunContext ctx) throws Exception {
        int n = ctx.opts.integer("sessions", 2_000);
        int rounds = ctx.opts.integer("rounds", 2);
        int checkpoints = Math.max(1, ctx.opts.integer("checkpoints", 4));
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        int settleMs = ctx.opts.integer("settle-ms", 3_000);
        Transport transport = ctx.transport();
        Duration rampTimeout = Duration.ofSeconds(ctx.opts.integer("ramp-timeout", 300));
        int rawConnections = Math.max(4, (n + 1_799) / 1_800);

        List<Ramp> ramps = new ArrayList<>();
        try (Fleet fleet = ctx.fleet(n, transport)) {
            int warm = Math.min(n, ctx.opts.integer("warmup-sessions", 200));
            if (warm > 0) {
                // A cold edge (JIT, pools) connects far slower than a warm one: warm every peer up once.
                System.err.printf("idle warm-up: %d sessions per peer, not recorded%n", warm);
                fleet.connect(ctx.users("wie", warm), transport, concurrency, rampTimeout);
                List<String> queues = fleet.sessionQueues();
                fleet.closeAll(Duration.ofSeconds(30));
                // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
                ctx.deleteQueues(queues);
                try (RawAmqpPeer p = new RawAmqpPeer(ctx.amqp(), rawConnections, ctx.ledgers, ctx.rawQueuePrefix() + "w.")) {
                    p.connectAll(ctx.users("wir", warm), 16, rampTimeout);
                }
                if (ctx.stomp != null) {
                    try (io.lasthop.bench.client.StompPeer p = ctx.stompPeer(warm)) {
                        p.connectAll(ctx.users("wis", warm), concurrency, rampTimeout);
                    }
                }
                Thread.sleep(settleMs);
            }
            for (int round = 1; round <= rounds; round++) {
                // A round takes about two ramps at a few hundred sessions/s, plus the probes.
                if (!ctx.timeLeft(Duration.ofSeconds(60 + 2L * n / 200))) {
                    ctx.notes.put("idle", "stopped after round " + (round - 1) + ": the time limit was near");
                    break;
                }
                ramps.add(rampEdge(ctx, fleet, transport, round, n, checkpoints, concurrency, settleMs, rampTimeout));
                ramps.add(rampRaw(ctx, round, n, checkpoints, rawConnections, settleMs, rampTimeout));
                if (ctx.stomp != null) {
                    ramps.add(rampStomp(ctx, round, n, checkpoints, concurrency, settleMs, rampTimeout));
                }
            }
        }
        return section(ctx, n, transport, ramps);
    }

    private static Ramp rampEdge(RunContext ctx, Fleet fleet, Transport t, int round, int n, int cps, int concurrency,
                                 int settleMs, Duration timeout) throws Exception {
        System.err.printf("idle round %d: %d %s sessions through the edge%n", round, n, t.wireName);
        List<String> users = ctx.users("i" + round + "e", n);
        Snapshot base = Snapshot.take(0, ctx.edgePid, true, ctx.queueRegex());
        List<Snapshot> snaps = new ArrayList<>();
        Acc acc = new Acc();
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("edge", ctx.edgePid);
        pids.put("broker", ctx.brokerPid);
        for (int c = 1; c <= cps; c++) {
            List<String> part = users.subList((c - 1) * n / cps, c * n / cps);
            acc.connect(pids, fleet::pids, () -> fleet.connect(part, t, concurrency, timeout));
            Thread.sleep(settleMs);
            snaps.add(Snapshot.take(acc.opened, ctx.edgePid, true, ctx.queueRegex()));
            System.err.printf("  %d open, %.0f/s%n", acc.opened, acc.rate());
        }
        Probes.AmqpUse amqp = ctx.edgeNodeId.isBlank() ? null : Probes.amqpUse(ctx.edgeNodeId);
        Map<String, Object> stats = fleet.stats();
        List<String> queues = fleet.sessionQueues();
        fleet.closeAll(Duration.ofSeconds(30));
        // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
        int deleted = ctx.deleteQueues(queues);
        Thread.sleep(settleMs);
        return new Ramp("lasthop-" + t.wireName, round, n, acc.opened, acc.failed(), acc.failures,
                acc.rate(), LatencySummary.of(acc.latency), base, snaps, amqp, deleted, stats, acc.cpuMsPerSession());
    }

    private static Ramp rampRaw(RunContext ctx, int round, int n, int cps, int connections, int settleMs,
                                Duration timeout) throws Exception {
        System.err.printf("idle round %d: %d raw AMQP consumers%n", round, n);
        List<String> users = ctx.users("i" + round + "r", n);
        long self = ProcessHandle.current().pid();
        Snapshot base = Snapshot.take(0, self, true, ctx.queueRegex());
        List<Snapshot> snaps = new ArrayList<>();
        Acc acc = new Acc();
        int deleted;
        Probes.AmqpUse amqp;
        try (RawAmqpPeer peer = new RawAmqpPeer(ctx.amqp(), connections, ctx.ledgers, ctx.rawQueuePrefix() + "i" + round + ".")
                .ackDelayMs(ctx.ackDelayMs())) {
            Map<String, Long> pids = Map.of("broker", ctx.brokerPid);
            for (int c = 1; c <= cps; c++) {
                List<String> part = users.subList((c - 1) * n / cps, c * n / cps);
                acc.connect(pids, () -> List.of(self), () -> peer.connectAll(part, 16, timeout));
                Thread.sleep(settleMs);
                snaps.add(Snapshot.take(acc.opened, self, true, ctx.queueRegex()));
                System.err.printf("  %d consuming, %.0f/s%n", acc.opened, acc.rate());
            }
            amqp = new Probes.AmqpUse(peer.connectionCount(), peer.channelCount());
            deleted = peer.closeAndDelete(Duration.ofSeconds(120));
        }
        Thread.sleep(settleMs);
        return new Ramp("raw-amqp", round, n, acc.opened, acc.failed(), acc.failures, acc.rate(),
                LatencySummary.of(acc.latency), base, snaps, amqp, deleted, Map.of(), acc.cpuMsPerSession());
    }

    private static Ramp rampStomp(RunContext ctx, int round, int n, int cps, int concurrency, int settleMs,
                                  Duration timeout) throws Exception {
        System.err.printf("idle round %d: %d Web-STOMP connections%n", round, n);
        List<String> users = ctx.users("i" + round + "s", n);
        long pid = ctx.stomp.pid();
        List<String> node = ctx.stomp.nodeArgs();
        Snapshot base = Snapshot.take(0, pid, false, ctx.queueRegex(), node);
        List<Snapshot> snaps = new ArrayList<>();
        Acc acc = new Acc();
        int deleted;
        Map<String, Object> stats;
        try (io.lasthop.bench.client.StompPeer peer = ctx.stompPeer(n)) {
            Map<String, Long> pids = Map.of("broker", pid);
            long self = ProcessHandle.current().pid();
            for (int c = 1; c <= cps; c++) {
                List<String> part = users.subList((c - 1) * n / cps, c * n / cps);
                acc.connect(pids, () -> List.of(self), () -> peer.connectAll(part, concurrency, timeout));
                Thread.sleep(settleMs);
                snaps.add(Snapshot.take(acc.opened, pid, false, ctx.queueRegex(), node));
                System.err.printf("  %d subscribed, %.0f/s%n", acc.opened, acc.rate());
            }
            stats = peer.stats().snapshot();
            deleted = peer.closeAndDelete(Duration.ofSeconds(120));
        }
        Thread.sleep(settleMs);
        return new Ramp("web-stomp", round, n, acc.opened, acc.failed(), acc.failures, acc.rate(),
                LatencySummary.of(acc.latency), base, snaps, null, deleted, stats, acc.cpuMsPerSession());
    }

    /** A ramp segment: connects a share of the users and reports how it went. */
    private interface Segment {
        ConnectReport run() throws Exception;
    }

    /**
     * Connect reports of the ramp segments, added up, and the CPU each process spent during them;
     * time and CPU spent probing (full GCs, rabbitmqctl) are left out.
     */
    private static final class Acc {
        long opened;
        long elapsed;
        final Map<String, Long> failures = new TreeMap<>();
        final Histogram latency = new Histogram(1, 600_000_000L, 3);
        final Map<String, Double> cpuSeconds = new LinkedHashMap<>();

        /**
         * Runs a segment and charges it the CPU of {@code pids} and of the load generator's
         * processes (summed as "load generator"; a worker process started by the segment counts
         * from zero).
         */
        void connect(Map<String, Long> pids, java.util.function.Supplier<List<Long>> generator, Segment segment)
                throws Exception {
            Map<String, Double> before = Probes.cpuSeconds(pids, generator.get());
            ConnectReport r = segment.run();
            Map<String, Double> after = Probes.cpuSeconds(pids, generator.get());
            after.forEach((k, v) -> {
                Double b = before.get(k);
                if (b != null && b >= 0 && v >= 0) {
                    cpuSeconds.merge(k, v - b, Double::sum);
                }
            });
            add(r);
        }

        /** CPU milliseconds per session opened, by process. */
        Map<String, Double> cpuMsPerSession() {
            Map<String, Double> m = new LinkedHashMap<>();
            cpuSeconds.forEach((k, v) -> m.put(k, opened == 0 ? Double.NaN : v * 1000 / opened));
            return m;
        }

        void add(ConnectReport r) {
            opened += r.opened();
            elapsed += r.elapsedNanos();
            r.failures().forEach((k, v) -> failures.merge(k, v, Long::sum));
            if (r.notStarted() > 0) {
                failures.merge("not started before the deadline", r.notStarted(), Long::sum);
            }
            latency.add(r.latencyUs());
        }

        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }

        double rate() {
            return elapsed == 0 ? 0 : opened * 1e9 / elapsed;
        }
    }

    private static double mean(List<Ramp> rs, java.util.function.ToDoubleFunction<Ramp> f) {
        return rs.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    /** CPU ms per session of the named processes, summed; a process the ramp did not use counts 0. */
    private static double cpu(Ramp r, String... keys) {
        if (r.cpuMsPerSession().isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        boolean any = false;
        for (String k : keys) {
            Double v = r.cpuMsPerSession().get(k);
            if (v != null && !Double.isNaN(v)) {
                sum += v;
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    private static double per(Ramp r, String key) {
        Double v = r.perSession().get(key);
        return v == null ? Double.NaN : v;
    }

    private static Section section(RunContext ctx, int n, Transport t, List<Ramp> ramps) {
        List<Ramp> a = ramps.stream().filter(r -> r.peer().startsWith("lasthop")).toList();
        List<Ramp> b = ramps.stream().filter(r -> r.peer().equals("raw-amqp")).toList();
        List<Ramp> c = ramps.stream().filter(r -> r.peer().equals("web-stomp")).toList();
        boolean withC = !c.isEmpty();
        StringBuilder md = new StringBuilder();
        md.append(String.format("%,d idle sessions per phase, ramped in %d steps, %d round(s) interleaved %s: "
                        + "A = Lasthop over %s, B = raw AMQP consumers (one queue per user, no edge)%s. "
                        + "Per-session figures are (value at N − value before the ramp) / sessions opened, "
                        + "the mean of the rounds; heap is measured after a full GC (`jcmd GC.run`).%n%n",
                n, Math.max(1, ctx.opts.integer("checkpoints", 4)), a.size(), withC ? "A/B/C/A/B/C" : "A/B/A/B",
                t.wireName, withC ? ", C = RabbitMQ Web-STOMP on a broker node of its own (one STOMP-over-WebSocket "
                        + "connection per user, subscribed to its own queue)" : ""));
        md.append("| figure | Lasthop (A) | raw AMQP (B, baseline) | A / B |").append(withC ? " Web-STOMP (C) | A / C |" : "")
                .append("\n|---|---|---|---|").append(withC ? "---|---|" : "").append('\n');
        row(md, withC, "sessions opened (mean)", a, b, c, r -> r.opened(), v -> Fmt.num(v, 0));
        row(md, withC, "connect rate, sessions/s (higher is better)", a, b, c, Ramp::connectPerSecond, v -> Fmt.num(v, 0));
        row(md, withC, "connect time p50, ms", a, b, c, r -> r.connectLatency().p50Us() / 1000.0, v -> Fmt.num(v, 1));
        row(md, withC, "connect time p99, ms", a, b, c, r -> r.connectLatency().p99Us() / 1000.0, v -> Fmt.num(v, 1));
        row(md, withC, "CPU ms / session opened: edge", a, b, c, r -> cpu(r, "edge"), v -> Fmt.num(v, 2));
        row(md, withC, "CPU ms / session opened: broker (A, B: shared node; C: its own)", a, b, c, r -> cpu(r, "broker"),
                v -> Fmt.num(v, 2));
        row(md, withC, "CPU ms / session opened: **serving** (A: edge + broker; B, C: broker)", a, b, c,
                r -> cpu(r, "edge", "broker"), v -> Fmt.num(v, 2));
        row(md, withC, "CPU ms / session opened: load generator (A, C: browser clients; B: the consumers)", a, b, c,
                r -> cpu(r, "load generator"), v -> Fmt.num(v, 2));
        row(md, withC, "queue process memory / session (this run's queues, `list_queues memory`)", a, b, c,
                r -> per(r, "run_queue_mem"), Fmt::bytesDelta);
        row(md, withC, "broker memory / session (`memory_breakdown`; A, B: the shared broker, noisy; C: its own node)",
                a, b, c, r -> per(r, "broker_total"), Fmt::bytesDelta);
        row(md, withC, "… of which queue processes", a, b, c, r -> per(r, "broker_queue_procs"), Fmt::bytesDelta);
        row(md, withC, "… of which connections (`connection_*`)", a, b, c, r -> per(r, "broker_connection"), Fmt::bytesDelta);
        row(md, withC, "Java heap after full GC / session (A: edge; B: consumer JVM)", a, b, c, r -> per(r, "heap"),
                Fmt::bytesDelta);
        row(md, withC, "RSS / session (A: edge; B: consumer JVM; C: Web-STOMP node)", a, b, c, r -> per(r, "rss"),
                Fmt::bytesDelta);
        row(md, withC, "kernel TCP memory / session (`/proc/net/sockstat` mem)", a, b, c, r -> per(r, "tcp_mem"),
                Fmt::bytesDelta);
        row(md, withC, "TCP sockets / session (sockstat inuse, both ends on loopback)", a, b, c, r -> per(r, "tcp_inuse"),
                v -> Fmt.num(v, 2));
        md.append(String.format("| AMQP connections / channels used | %s | %s | — |%s%n", amqp(a), amqp(b),
                withC ? " " + (c.isEmpty() ? "" : String.format("%,d STOMP connections", c.get(0).opened())) + " | — |" : ""));
        md.append("\nPer round (in the order run):\n\n| round | peer | opened | failed | connect/s | connect p50 / p99 ms "
                + "| run's queues / session | broker / session | heap / session | RSS / session | queues deleted |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Ramp r : ramps) {
            Map<String, Double> p = r.perSession();
            md.append(String.format("| %d | %s | %,d | %,d | %s | %s / %s | %s | %s | %s | %s | %,d |%n", r.round(), r.peer(),
                    r.opened(), r.failed(), Fmt.num(r.connectPerSecond(), 0),
                    LatencySummary.ms(r.connectLatency().p50Us()), LatencySummary.ms(r.connectLatency().p99Us()),
                    Fmt.bytesDelta(p.get("run_queue_mem")), Fmt.bytesDelta(p.get("broker_total")),
                    Fmt.bytesDelta(p.get("heap")), Fmt.bytesDelta(p.get("rss")), r.queuesDeleted()));
        }
        for (Ramp r : ramps) {
            if (!r.failures().isEmpty()) {
                md.append(String.format("%nRound %d %s failures: %s%n", r.round(), r.peer(), r.failures()));
            }
        }
        if (!a.isEmpty() && !a.get(0).clientStats().isEmpty()) {
            md.append("\nClient counters of round 1 (A): `").append(a.get(0).clientStats()).append("`\n");
        }
        md.append("\n![memory vs sessions](%STEM%-idle-memory.svg)\n");

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("transport", t.wireName);
        data.put("ramps", ramps);
        return new Section("Idle sessions (scenario `idle`)", md.toString(), data,
                Map.of("idle-memory.svg", plot(a, b, c)));
    }

    private static String amqp(List<Ramp> rs) {
        if (rs.isEmpty() || rs.get(0).amqp() == null) {
            return "not measured";
        }
        Probes.AmqpUse u = rs.get(0).amqp();
        return u.connections() + " / " + String.format("%,d", u.channels());
    }

    private static void row(StringBuilder md, boolean withC, String name, List<Ramp> a, List<Ramp> b, List<Ramp> c,
                            java.util.function.ToDoubleFunction<Ramp> f,
                            java.util.function.DoubleFunction<String> fmt) {
        double va = mean(a, f);
        double vb = mean(b, f);
        md.append(String.format("| %s | %s | %s | %s |", name, fmt.apply(va), fmt.apply(vb), Fmt.ratio(va, vb)));
        if (withC) {
            double vc = mean(c, f);
            md.append(String.format(" %s | %s |", fmt.apply(vc), Fmt.ratio(va, vc)));
        }
        md.append('\n');
    }

    private static String plot(List<Ramp> a, List<Ramp> b, List<Ramp> c) {
        LineChart chart = new LineChart("Memory vs idle sessions (growth since the ramp began, mean of rounds)",
                "sessions open", "MiB", false);
        addSeries(chart, a, "edge heap after GC", "#1f77b4", false, "heap");
        addSeries(chart, a, "edge RSS", "#2ca02c", false, "rss");
        addSeries(chart, b, "consumer JVM heap, raw", "#1f77b4", true, "heap");
        addSeries(chart, a, "run's queues, edge", "#d62728", false, "run_queue_mem");
        addSeries(chart, b, "run's queues, raw", "#d62728", true, "run_queue_mem");
        addSeries(chart, a, "whole broker, edge", "#ff7f0e", false, "broker_total");
        addSeries(chart, b, "whole broker, raw", "#ff7f0e", true, "broker_total");
        addSeries(chart, c, "Web-STOMP node RSS", "#8c564b", false, "rss");
        addSeries(chart, c, "Web-STOMP node memory", "#e377c2", false, "broker_total");
        return chart.render();
    }

    private static void addSeries(LineChart c, List<Ramp> rs, String name, String color, boolean dashed, String key) {
        if (rs.isEmpty()) {
            return;
        }
        int k = rs.get(0).checkpoints().size();
        double[] xs = new double[k + 1];
        double[] ys = new double[k + 1];
        for (int i = 0; i <= k; i++) {
            final int idx = i;
            xs[i] = mean(rs, r -> idx == 0 ? 0 : r.checkpoints().get(idx - 1).sessions());
            ys[i] = mean(rs, r -> {
                if (idx == 0) {
                    return 0;
                }
                long v = r.checkpoints().get(idx - 1).figures().get(key);
                long base = r.base().figures().get(key);
                return v < 0 || base < 0 ? Double.NaN : (v - base) / 1048576.0;
            });
        }
        c.add(new LineChart.Series(name, color, dashed, xs, ys));
    }
}
