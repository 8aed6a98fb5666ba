package io.lasthop.bench.scenario;

import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.probe.EdgeProbes;
import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.probe.SockStat;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The horizontal-scale proof: N sessions spread evenly over every edge bench/run started
 * ({@code BENCH_EDGES}), one broker, held for {@code --hold-seconds} while the harness samples how
 * many are still open; then one message to every user, each of which must arrive exactly once.
 * Each edge's clients live in load-generator processes of their own.
 */
public final class HoldScenario {
    private HoldScenario() {}

    record Sample(
            double atSeconds,
            long clientOpen,
            long edgeSessions,
            long unexpectedDisconnects,
            long edgeRssBytes,
            long brokerBytes) {}

    public static Section run(RunContext ctx) throws Exception {
        int n = ctx.opts.integer("sessions", 10_000);
        int holdSeconds = ctx.opts.integer("hold-seconds", 600);
        int sampleSeconds = Math.max(5, ctx.opts.integer("sample-seconds", 60));
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        int rate = ctx.opts.integer("hold-rate", 2_000);
        Transport transport = ctx.transport();
        List<RunContext.EdgeNode> edges = ctx.edges;
        int k = edges.size();
        Duration timeout = Duration.ofSeconds(ctx.opts.integer("ramp-timeout", 900));
        List<List<String>> usersByEdge = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int e = 0; e < k; e++) {
            List<String> users = ctx.users("h" + e + "u", (int) ((long) n * (e + 1) / k - (long) n * e / k));
            usersByEdge.add(users);
            all.addAll(users);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        List<Fleet> fleets = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(k);
        try {
            for (int e = 0; e < k; e++) {
                fleets.add(ctx.fleet(usersByEdge.get(e).size(), transport, edges.get(e))
                        .localCapacity(0));
            }
            SockStat sock0 = SockStat.read();
            Map<String, Long> broker0 = BrokerProbes.memory(List.of());
            long rss0 = edgesRss(edges);
            System.err.printf("hold: %,d %s sessions over %d edges%n", n, transport.wireName, k);
            List<Future<ConnectReport>> fs = new ArrayList<>();
            for (int e = 0; e < k; e++) {
                Fleet f = fleets.get(e);
                List<String> users = usersByEdge.get(e);
                fs.add(pool.submit(() -> f.connect(users, transport, concurrency, timeout)));
            }
            List<ConnectReport> connects = new ArrayList<>();
            long opened = 0;
            double slowest = 0;
            for (Future<ConnectReport> f : fs) {
                ConnectReport r = f.get();
                connects.add(r);
                opened += r.opened();
                slowest = Math.max(slowest, r.elapsedNanos() / 1e9);
            }
            System.err.printf("  %,d open after %.0f s%n", opened, slowest);
            data.put("opened", opened);
            data.put("connect_seconds", slowest);
            data.put(
                    "connect_failures",
                    connects.stream().map(ConnectReport::failures).toList());

            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(holdSeconds).toNanos();
            while (true) {
                samples.add(sample(ctx, fleets, edges, (System.nanoTime() - start) / 1e9));
                Sample last = samples.get(samples.size() - 1);
                System.err.printf(
                        "  %.0f s: %,d open (edges hold %,d), %d dropped%n",
                        last.atSeconds(), last.clientOpen(), last.edgeSessions(), last.unexpectedDisconnects());
                long left = end - System.nanoTime();
                if (left <= 0 || !ctx.timeLeft(Duration.ofSeconds(120 + n / 500))) {
                    break;
                }
                Thread.sleep(Math.min(left / 1_000_000, sampleSeconds * 1000L));
            }
            data.put("held_seconds", (System.nanoTime() - start) / 1e9);
            SockStat sock1 = SockStat.read();
            Map<String, Long> broker1 = BrokerProbes.memory(List.of());
            long rss1 = edgesRss(edges);

            // Liveness at the end: one message to every user, each must arrive exactly once.
            int phase = 30_000;
            Schedule.Plan plan = Schedule.each(all.size(), rate, 64);
            for (Fleet f : fleets) {
                f.openPhase(phase, plan.count());
            }
            Publisher.Result res;
            try (Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher").persistent(false)) {
                res = pub.publish(
                        phase,
                        plan,
                        all,
                        Duration.ofSeconds(all.size() / Math.max(1, rate) * 4L + 120)
                                .toNanos());
            }
            Ledger.Counts c = Drain.await(() -> counts(fleets, phase), res.confirmed(), Duration.ofSeconds(60))
                    .counts();
            data.put(
                    "liveness",
                    Map.of(
                            "planned",
                            plan.count(),
                            "sent",
                            res.sent(),
                            "published",
                            res.confirmed(),
                            "delivered",
                            c.unique(),
                            "lost",
                            res.confirmed() - c.unique(),
                            "duplicates",
                            c.duplicates(),
                            "publish_rate",
                            Math.round(res.ratePerSecond()),
                            "truncated",
                            res.truncated()));
            for (Fleet f : fleets) {
                f.closePhase(phase);
            }
            data.put("edge_rss_per_session", opened == 0 ? Double.NaN : (rss1 - rss0) / (double) opened);
            data.put(
                    "broker_per_session",
                    opened == 0
                            ? Double.NaN
                            : (broker1.getOrDefault("total", 0L) - broker0.getOrDefault("total", 0L))
                                    / (double) opened);
            data.put(
                    "tcp_mem_per_session",
                    opened == 0 ? Double.NaN : (sock1.tcpMemBytes() - sock0.tcpMemBytes()) / (double) opened);
            data.put("amqp", ctx.edgeNodeId.isBlank() ? null : BrokerProbes.amqpUse("bench-" + ctx.runId));
            Map<String, Object> stats = new LinkedHashMap<>();
            for (int e = 0; e < k; e++) {
                stats.put("edge " + e, fleets.get(e).stats());
            }
            data.put("client_stats", stats);
            data.put("samples", samples);

            List<String> queues = new ArrayList<>();
            for (Fleet f : fleets) {
                queues.addAll(f.sessionQueues());
                f.closeAll(Duration.ofSeconds(120));
            }
            if (ctx.opts.str("broker-node", null) != null) {
                data.put("queues_deleted", "none: they go with the run's private broker node");
            } else {
                System.err.printf("  deleting %,d queues%n", queues.size());
                data.put("queues_deleted", ctx.deleteQueues(queues));
            }
        } finally {
            pool.shutdownNow();
            for (Fleet f : fleets) {
                f.close();
            }
        }
        return section(n, k, transport, holdSeconds, data, samples);
    }

    private static Ledger.Counts counts(List<Fleet> fleets, int phase) throws Exception {
        Ledger.Counts sum = null;
        for (Fleet f : fleets) {
            Ledger.Counts c = f.counts(phase);
            sum = sum == null ? c : sum.plus(c);
        }
        return sum;
    }

    private static long edgesRss(List<RunContext.EdgeNode> edges) {
        long sum = 0;
        for (RunContext.EdgeNode e : edges) {
            sum += Math.max(0, ProcessProbes.rss(e.pid()));
        }
        return sum;
    }

    private static Sample sample(RunContext ctx, List<Fleet> fleets, List<RunContext.EdgeNode> edges, double at)
            throws Exception {
        long open = 0;
        long dropped = 0;
        for (Fleet f : fleets) {
            Map<String, Object> st = f.stats();
            open += num(st.get("open_sessions"));
            dropped += num(st.get("unexpected_disconnects"));
        }
        long held = 0;
        for (RunContext.EdgeNode e : edges) {
            double v = EdgeProbes.gauge(e.host(), e.port(), "lasthop_sessions");
            held += Double.isNaN(v) ? 0 : (long) v;
        }
        Map<String, Long> broker = BrokerProbes.memory(List.of());
        return new Sample(Math.round(at), open, held, dropped, edgesRss(edges), broker.getOrDefault("total", -1L));
    }

    private static long num(Object o) {
        return o instanceof Number x ? x.longValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static Section section(
            int n, int k, Transport t, int holdSeconds, Map<String, Object> data, List<Sample> samples) {
        StringBuilder md = new StringBuilder();
        Map<String, Object> live = (Map<String, Object>) data.getOrDefault("liveness", Map.of());
        md.append(String.format(
                "%,d %s sessions spread over %d edge processes (each with its own load-generator "
                        + "processes), one broker, each session with its own durable queue and consumer. Held for "
                        + "%,d s, sampled; then one message to every user.%n%n",
                n, t.wireName, k, holdSeconds));
        md.append("| figure | value |\n|---|---|\n");
        md.append(String.format("| sessions opened | %,d of %,d |%n", num(data.get("opened")), n));
        md.append(
                String.format("| time to open them all, s | %s |%n", Fmt.num((Double) data.get("connect_seconds"), 0)));
        md.append(String.format(
                "| held for, s | %s |%n", Fmt.num((Double) data.getOrDefault("held_seconds", Double.NaN), 0)));
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        if (last != null) {
            md.append(String.format(
                    "| open at the end (clients / edges' `lasthop_sessions`) | %,d / %,d |%n",
                    last.clientOpen(), last.edgeSessions()));
            md.append(String.format(
                    "| sessions lost while held (unexpected disconnects) | %,d |%n", last.unexpectedDisconnects()));
        }
        md.append(String.format(
                "| one transient message per user: planned / published (confirmed) / delivered / lost / "
                        + "duplicates | %s / %s / %s / %s / %s |%n",
                live.get("planned"),
                live.get("published"),
                live.get("delivered"),
                live.get("lost"),
                live.get("duplicates")));
        md.append(String.format(
                "| … publisher reached, msg/s; stopped at its time limit | %s; %s |%n",
                live.get("publish_rate"), Boolean.TRUE.equals(live.get("truncated")) ? "**yes**" : "no"));
        md.append(String.format(
                "| edges' RSS / session (sum over the edges) | %s |%n",
                Fmt.bytesDelta((Double) data.getOrDefault("edge_rss_per_session", Double.NaN))));
        md.append(String.format(
                "| broker memory / session (`memory_breakdown`) | %s |%n",
                Fmt.bytesDelta((Double) data.getOrDefault("broker_per_session", Double.NaN))));
        md.append(String.format(
                "| kernel TCP memory / session | %s |%n",
                Fmt.bytesDelta((Double) data.getOrDefault("tcp_mem_per_session", Double.NaN))));
        if (data.get("amqp") instanceof BrokerProbes.AmqpUse u) {
            md.append(String.format(
                    "| AMQP connections / channels of the edges | %d / %,d |%n", u.connections(), u.channels()));
        }
        md.append(String.format("| queues deleted at the end | %s |%n", data.get("queues_deleted")));
        md.append(
                "\nSamples while held:\n\n| at, s | open (clients) | held (edges) | unexpected disconnects | edges' RSS | broker memory |\n"
                        + "|---|---|---|---|---|---|\n");
        for (Sample s : samples) {
            md.append(String.format(
                    "| %.0f | %,d | %,d | %,d | %s | %s |%n",
                    s.atSeconds(),
                    s.clientOpen(),
                    s.edgeSessions(),
                    s.unexpectedDisconnects(),
                    Fmt.bytes(s.edgeRssBytes()),
                    Fmt.bytes(s.brokerBytes())));
        }
        md.append(String.format("%nConnect failures by edge: `%s`%n", data.get("connect_failures")));
        return new Section("Sessions held across edges (scenario `hold`)", md.toString(), data, Map.of());
    }
}
