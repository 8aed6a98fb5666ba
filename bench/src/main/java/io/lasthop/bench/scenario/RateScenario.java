package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.StompPeer;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.Probes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * User-addressed messages at rising rates. N edge sessions and N raw-AMQP consumers stay connected
 * the whole time; for every rate step and round the one publisher runs the same seeded plan first
 * to the edge's users (A), then to the raw consumers' users (B): A/B/A/B. Each phase publishes a
 * fixed count (rate × step seconds), waits for the deliveries to drain, and records latency
 * (publish → client decode), delivered vs published, and CPU per process.
 */
public final class RateScenario {
    private RateScenario() {}

    /**
     * One phase: a peer at one rate step and round. {@code delivered.expected()} is what it had to
     * deliver, and the figures per message ({@code cpuPer1k}, client bytes) are per delivery: one
     * per message when messages go to users, many when they go to a topic.
     * {@code deliverySeconds} runs from the first publish to the end of the drain.
     */
    record Phase(int index, String peer, int step, int round, int targetRate, boolean warmup, long planned,
                 double meanPayload, Publisher.Result published, Ledger.Counts delivered, long lost,
                 LatencySummary latency, String histogram, long drainMs, boolean drained, double deliverySeconds,
                 double wallSeconds, Map<String, Double> cpuSeconds, Map<String, Double> cpuPer1k,
                 double clientBytesReadPerMsg,
                 double clientBytesWrittenPerMsg, Map<String, Long> broker, List<String> saturation) {
        boolean saturated() {
            return !saturation.isEmpty();
        }
    }

    /** Where a phase's plan goes, and what it must deliver. */
    interface Target {
        Publisher.Result publish(Publisher pub, int phase, Schedule.Plan plan, long maxNanos)
                throws IOException, InterruptedException;

        /** Ledger bits the phase needs. */
        long ledgerSize(Schedule.Plan plan);

        /** Deliveries the phase must make, once the broker has confirmed what it could. */
        long expected(Schedule.Plan plan, Publisher.Result published);
    }

    /** Message i to user {@code plan.user()[i]}: one delivery per confirmed message. */
    static Target toUsers(List<String> users) {
        return new Target() {
            @Override
            public Publisher.Result publish(Publisher pub, int phase, Schedule.Plan plan, long maxNanos)
                    throws IOException, InterruptedException {
                return pub.publish(phase, plan, users, maxNanos);
            }

            @Override
            public long ledgerSize(Schedule.Plan plan) {
                return plan.count();
            }

            @Override
            public long expected(Schedule.Plan plan, Publisher.Result published) {
                return published.confirmed();
            }
        };
    }

    public static Section run(RunContext ctx) throws Exception {
        int n = ctx.opts.integer("sessions", 1_000);
        List<Integer> rates = new ArrayList<>();
        for (int r : ctx.opts.ints("rates", "500,1000,2000")) {
            rates.add(r);
        }
        int stepSeconds = ctx.opts.integer("step-seconds", 8);
        int rounds = ctx.opts.integer("rounds", 2);
        int[] sizes = ctx.opts.ints("sizes", "64,256,1024");
        long seed = ctx.opts.longValue("seed", 42);
        int warmupSeconds = ctx.opts.integer("warmup-seconds", 3);
        boolean untilSaturation = ctx.opts.flag("until-saturation");
        int maxRate = ctx.opts.integer("max-rate", 16_000);
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        boolean brokerPerPhase = !ctx.opts.flag("no-broker-memory");
        Transport transport = Transport.parse(ctx.opts.str("transport", "ws"));
        Schedule schedule = new Schedule(seed, n, sizes);

        List<Phase> phases = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        Map<String, List<String>> users = new LinkedHashMap<>();
        users.put("lasthop", ctx.users("re", n));
        users.put("raw-amqp", ctx.users("rr", n));
        if (ctx.stomp != null) {
            users.put("web-stomp", ctx.users("rs", n));
        }
        StompPeer stomp = null;
        Publisher stompPub = null;
        try (Fleet fleet = ctx.fleet(n, transport);
             RawAmqpPeer raw = new RawAmqpPeer(ctx.amqp(), Math.max(4, (n + 1_799) / 1_800), ctx.ledgers,
                     ctx.rawQueuePrefix() + "rate.").ackDelayMs(ctx.ackDelayMs());
             Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf("rate: connecting %d %s sessions and %d raw consumers%s%n", n, transport.wireName, n,
                    ctx.stomp == null ? "" : " and " + n + " Web-STOMP connections");
            ConnectReport ce = fleet.connect(users.get("lasthop"), transport, concurrency, Duration.ofSeconds(300));
            ConnectReport cr = raw.connectAll(users.get("raw-amqp"), 16, Duration.ofSeconds(300));
            setup.put("edge_sessions_opened", ce.opened());
            setup.put("edge_connect_failures", ce.failures());
            setup.put("edge_connect_per_s", Math.round(ce.perSecond()));
            setup.put("raw_consumers_opened", cr.opened());
            setup.put("raw_connect_failures", cr.failures());
            setup.put("raw_connect_per_s", Math.round(cr.perSecond()));
            long stompOpened = -1;
            if (ctx.stomp != null) {
                stomp = ctx.stompPeer(n);
                stompPub = new Publisher(ctx.stompAmqp(), "lasthop-bench publisher");
                ConnectReport cs = stomp.connectAll(users.get("web-stomp"), concurrency, Duration.ofSeconds(300));
                stompOpened = cs.opened();
                setup.put("stomp_connections_opened", cs.opened());
                setup.put("stomp_connect_failures", cs.failures());
                setup.put("stomp_connect_per_s", Math.round(cs.perSecond()));
            }
            setup.put("client_processes", fleet.pids().size());
            Probes.AmqpUse use = ctx.edgeNodeId.isBlank() ? null : Probes.amqpUse(ctx.edgeNodeId);
            setup.put("edge_amqp", use);
            setup.put("raw_amqp", new Probes.AmqpUse(raw.connectionCount(), raw.channelCount()));
            if (ce.opened() < n || cr.opened() < n || (stompOpened >= 0 && stompOpened < n)) {
                ctx.notes.put("rate", "not every session connected: edge " + ce.opened() + ", raw " + cr.opened()
                        + (stompOpened >= 0 ? ", web-stomp " + stompOpened : "") + " of " + n
                        + "; messages to the missing users count as lost");
            }
            Thread.sleep(2_000);

            int index = 0;
            int first = rates.get(0);
            for (String peer : users.keySet()) {
                phases.add(phase(ctx, fleet, peer.equals("web-stomp") ? stompPub : pub, peer, toUsers(users.get(peer)),
                        index++, -1, 0, schedule.plan(1_000, 0, first, first * warmupSeconds), true, stepSeconds, false));
            }
            for (int s = 0; s < rates.size(); s++) {
                int rate = rates.get(s);
                Duration need = Duration.ofSeconds((long) rounds * users.size() * (stepSeconds * 2L + 20));
                if (!ctx.timeLeft(need)) {
                    ctx.notes.put("rate_time", "stopped before " + rate + "/s: the time limit was near");
                    break;
                }
                boolean edgeSaturated = false;
                for (int round = 1; round <= rounds; round++) {
                    Schedule.Plan plan = schedule.plan(s, round, rate, rate * stepSeconds);
                    for (String peer : users.keySet()) {
                        Phase ph = phase(ctx, fleet, peer.equals("web-stomp") ? stompPub : pub, peer,
                                toUsers(users.get(peer)), index++, s, round, plan, false, stepSeconds, brokerPerPhase);
                        phases.add(ph);
                        edgeSaturated |= peer.equals("lasthop") && ph.saturated();
                    }
                }
                if (untilSaturation && s == rates.size() - 1 && !edgeSaturated && rate * 2 <= maxRate) {
                    rates.add(rate * 2);
                }
            }
            setup.put("client_stats", fleet.stats());
            if (stomp != null) {
                setup.put("stomp_client_stats", stomp.stats().snapshot());
            }
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
            setup.put("edge_queues_deleted", ctx.deleteQueues(queues));
        } finally {
            if (stomp != null) {
                stomp.close();
            }
            if (stompPub != null) {
                stompPub.close();
            }
        }
        return section(ctx, n, transport, sizes, seed, stepSeconds, setup, phases, new ArrayList<>(users.keySet()));
    }

    /**
     * Runs one phase: publishes the plan to the target, waits for its deliveries (at most
     * {@code --drain-seconds}), and reads latency, delivery counts, CPU per process and, if asked,
     * broker memory.
     */
    static Phase phase(RunContext ctx, Fleet fleet, Publisher pub, String peer, Target target, int index,
                       int step, int round, Schedule.Plan plan, boolean warmup, int stepSeconds,
                       boolean brokerMemory) throws Exception {
        System.err.printf("  phase %d: %s %s%d msg/s x %d%n", index, peer, warmup ? "warm-up " : "", plan.rate(), plan.count());
        fleet.openPhase(index, target.ledgerSize(plan));
        Map<String, Long> pids = pids(ctx, fleet, peer);
        Map<String, Double> cpu0 = cpu(pids);
        long wall0 = System.nanoTime();
        Map<String, Object> st0 = peer.equals("lasthop") ? fleet.stats() : Map.of();
        // (Web-STOMP byte counts are in the run's setup, not per phase.)
        Publisher.Result res = target.publish(pub, index, plan, Duration.ofSeconds(stepSeconds * 3L).toNanos());
        long expected = target.expected(plan, res);
        Drain drain = Drain.await(() -> fleet.counts(index), expected, ctx.drainLimit());
        Ledger.Counts c = drain.counts();
        long drainMs = drain.drainMs();
        boolean drained = drain.drained();
        double deliverySeconds = (drain.endNanos() - wall0) / 1e9;
        Map<String, Double> cpu1 = cpu(pids);
        double wall = (System.nanoTime() - wall0) / 1e9;
        Map<String, Object> st1 = peer.equals("lasthop") ? fleet.stats() : Map.of();
        Histogram h = fleet.histogram(index);
        fleet.closePhase(index);
        Map<String, Long> broker = !brokerMemory ? null
                : Probes.brokerMemory(peer.equals("web-stomp") ? ctx.stomp.nodeArgs() : List.of());

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
        return new Phase(index, peer, step, round, plan.rate(), warmup, plan.count(),
                plan.totalBytes() / (double) Math.max(1, plan.count()), res, counts, counts.lost(), lat,
                LatencySummary.encode(h), drainMs, drained, round3(deliverySeconds), round3(wall), cpuSec, per1k,
                round3(read), round3(written), broker, sat);
    }

    private static long num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number x ? x.longValue() : 0;
    }

    private static double round3(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    /** The processes whose CPU a phase is charged: edge (A only), broker, this process, workers. */
    private static Map<String, Long> pids(RunContext ctx, Fleet fleet, String peer) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (peer.equals("lasthop") && ctx.edgePid > 0) {
            m.put("edge", ctx.edgePid);
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
        if (peer.equals("lasthop")) {
            for (int i = 1; i < p.size(); i++) {
                m.put("client worker " + i, p.get(i));
            }
        }
        return m;
    }

    private static Map<String, Double> cpu(Map<String, Long> pids) {
        Map<String, Double> m = new LinkedHashMap<>();
        pids.forEach((k, pid) -> m.put(k, Probes.cpuSeconds(pid)));
        return m;
    }

    static final Map<String, String> LABEL = Map.of("lasthop", "**Lasthop**", "raw-amqp", "raw AMQP",
            "web-stomp", "Web-STOMP");

    private static Section section(RunContext ctx, int n, Transport t, int[] sizes, long seed, int stepSeconds,
                                   Map<String, Object> setup, List<Phase> phases, List<String> peers) {
        List<Phase> real = phases.stream().filter(p -> !p.warmup()).toList();
        boolean withC = peers.contains("web-stomp");
        TreeSet<Integer> rates = new TreeSet<>();
        real.forEach(p -> rates.add(p.targetRate()));
        StringBuilder md = new StringBuilder();
        md.append(String.format("%,d sessions: A = Lasthop over %s, B = raw AMQP consumers (one queue per user)%s, all "
                        + "connected throughout. Each phase publishes rate × %d s messages of %s bytes (seeded schedule, "
                        + "seed %d; the same plan for every peer) to random users, persistent, with confirms; phases run "
                        + "%s. Latency is publish → client decode, the rounds' histograms merged. Sessions opened: "
                        + "A %s, B %s%s; connect rate A %s/s, B %s/s%s.%n%n",
                n, t.wireName, withC ? ", C = RabbitMQ Web-STOMP on its own broker node (same publisher code, its "
                        + "own AMQP connection to that node)" : "", stepSeconds, java.util.Arrays.toString(sizes), seed,
                withC ? "A/B/C/A/B/C" : "A/B/A/B",
                setup.get("edge_sessions_opened"), setup.get("raw_consumers_opened"),
                withC ? ", C " + setup.get("stomp_connections_opened") : "", setup.get("edge_connect_per_s"),
                setup.get("raw_connect_per_s"), withC ? ", C " + setup.get("stomp_connect_per_s") + "/s" : ""));
        md.append("| rate/s | peer | published (confirmed) | delivered | lost | dup | p50 / p90 / p99 / p99.9 / max, ms "
                + "| p50 A/B | p99 A/B | p99.9 A/B |" + (withC ? " p50 A/C | p99 A/C | p99.9 A/C |" : "") + " saturated |\n"
                + "|---|---|---|---|---|---|---|---|---|---|" + (withC ? "---|---|---|" : "") + "---|\n");
        Map<String, Map<Integer, LatencySummary>> merged = new LinkedHashMap<>();
        for (String peer : peers) {
            Map<Integer, LatencySummary> byRate = new LinkedHashMap<>();
            for (int rate : rates) {
                Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
                real.stream().filter(p -> p.targetRate() == rate && p.peer().equals(peer))
                        .forEach(p -> h.add(LatencySummary.decode(p.histogram())));
                byRate.put(rate, LatencySummary.of(h));
            }
            merged.put(peer, byRate);
        }
        for (int rate : rates) {
            LatencySummary la = merged.get("lasthop").get(rate);
            LatencySummary lb = merged.get("raw-amqp").get(rate);
            LatencySummary lc = withC ? merged.get("web-stomp").get(rate) : null;
            for (String peer : peers) {
                List<Phase> ps = real.stream().filter(p -> p.targetRate() == rate && p.peer().equals(peer)).toList();
                long pubd = ps.stream().mapToLong(p -> p.published().confirmed()).sum();
                long del = ps.stream().mapToLong(p -> p.delivered().unique()).sum();
                long lost = ps.stream().mapToLong(Phase::lost).sum();
                long dup = ps.stream().mapToLong(p -> p.delivered().duplicates()).sum();
                List<String> sat = ps.stream().flatMap(p -> p.saturation().stream()).distinct().toList();
                boolean a = peer.equals("lasthop");
                md.append(String.format("| %,d | %s | %,d | %,d | %,d | %,d | %s | %s | %s | %s |", rate, LABEL.get(peer),
                        pubd, del, lost, dup, merged.get(peer).get(rate).format(),
                        a ? Fmt.ratio(la.p50Us(), lb.p50Us()) : "", a ? Fmt.ratio(la.p99Us(), lb.p99Us()) : "",
                        a ? Fmt.ratio(la.p999Us(), lb.p999Us()) : ""));
                if (withC) {
                    md.append(String.format(" %s | %s | %s |", a ? Fmt.ratio(la.p50Us(), lc.p50Us()) : "",
                            a ? Fmt.ratio(la.p99Us(), lc.p99Us()) : "", a ? Fmt.ratio(la.p999Us(), lc.p999Us()) : ""));
                }
                md.append(String.format(" %s |%n", sat.isEmpty() ? "no" : String.join("; ", sat)));
            }
        }
        md.append("\nEach phase, in the order run (the spread between rounds is the noise floor of this machine):\n\n"
                + "| phase | rate/s | round | peer | p50 / p90 / p99 / p99.9 / max, ms | publisher reached /s | publisher "
                + "max lateness, ms | drain, ms | lost | dup |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            md.append(String.format("| %d | %,d | %s | %s | %s | %,.0f | %s | %,d | %,d | %,d |%n", p.index(), p.targetRate(),
                    p.warmup() ? "warm-up" : Integer.toString(p.round()), p.peer(), p.latency().format(),
                    p.published().ratePerSecond(), Fmt.num(p.published().maxLagNanos() / 1e6, 1), p.drainMs(), p.lost(),
                    p.delivered().duplicates()));
        }
        md.append("\nCPU seconds per 1,000 delivered messages, by process (mean of rounds), with the cores it kept "
                + "busy during the phase. At low rates the fixed cost of holding the sessions (heartbeats, timers, GC) "
                + "weighs on the per-message figure. A and B share a broker with other work on this machine, so their "
                + "broker figure is an upper bound" + (withC ? "; C's broker is its own node" : "") + ". The harness "
                + "runs the publisher and the clients (A, C) or consumers (B).\n\n"
                + "| rate/s | process | Lasthop (A) | raw AMQP (B) | A / B |" + (withC ? " Web-STOMP (C) | A / C |" : "")
                + "\n|---|---|---|---|---|" + (withC ? "---|---|" : "") + "\n");
        for (int rate : rates) {
            Map<String, List<Phase>> by = new LinkedHashMap<>();
            for (String peer : peers) {
                by.put(peer, real.stream().filter(p -> p.targetRate() == rate && p.peer().equals(peer)).toList());
            }
            cpuRow(md, withC, rate, "edge", by, "edge", true);
            cpuRow(md, withC, rate, "broker", by, "broker", true);
            cpuRow(md, withC, rate, "harness", by, "harness", false);
            double ta = sumNan(meanCpu(by.get("lasthop"), "edge"), meanCpu(by.get("lasthop"), "broker"));
            double tb = meanCpu(by.get("raw-amqp"), "broker");
            md.append(String.format("| %,d | **serving** (A: edge + broker; B, C: broker) | %s | %s | %s |", rate,
                    Fmt.num(ta, 3), Fmt.num(tb, 3), Fmt.ratio(ta, tb)));
            if (withC) {
                double tc = meanCpu(by.get("web-stomp"), "broker");
                md.append(String.format(" %s | %s |", Fmt.num(tc, 3), Fmt.ratio(ta, tc)));
            }
            md.append('\n');
        }
        double read = real.stream().filter(p -> p.peer().equals("lasthop")).mapToDouble(Phase::clientBytesReadPerMsg)
                .filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
        double meanPayload = real.stream().mapToDouble(Phase::meanPayload).average().orElse(Double.NaN);
        md.append(String.format("%nClient bytes read per delivered message over %s (frames, headers and pings included): "
                + "%s, for a mean body of %s bytes. AMQP connections/channels: edge %s; raw peer %s.%n",
                t.wireName, Fmt.num(read, 0), Fmt.num(meanPayload, 0), fmtUse(setup.get("edge_amqp")), fmtUse(setup.get("raw_amqp"))));
        md.append("\n![latency vs rate](%STEM%-rate-latency.svg)\n");

        LineChart c = new LineChart("End-to-end latency vs publish rate (" + t.wireName + ", raw AMQP"
                + (withC ? ", Web-STOMP" : "") + ")", "messages per second", "ms", true);
        double[] xs = rates.stream().mapToDouble(Integer::doubleValue).toArray();
        String[] colors = {"#1f77b4", "#d62728", "#9467bd"};
        String[] pct = {"p50", "p99", "p99.9"};
        for (String peer : peers) {
            for (int k = 0; k < 3; k++) {
                final int kk = k;
                double[] ys = merged.get(peer).values().stream().mapToDouble(l -> {
                    long v = kk == 0 ? l.p50Us() : kk == 1 ? l.p99Us() : l.p999Us();
                    return v <= 0 ? Double.NaN : v / 1000.0;
                }).toArray();
                String name = LABEL.get(peer).replace("*", "") + " " + pct[k];
                c.add(new LineChart.Series(name, peer.equals("web-stomp") ? shade(colors[k]) : colors[k],
                        !peer.equals("lasthop"), xs, ys));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("transport", t.wireName);
        data.put("peers", peers);
        data.put("sizes", sizes);
        data.put("seed", seed);
        data.put("step_seconds", stepSeconds);
        data.put("setup", setup);
        data.put("phases", phases);
        return new Section("Rising rates, user-addressed (scenario `rate`)", md.toString(), data,
                Map.of("rate-latency.svg", c.render()));
    }

    /** Web-STOMP's lines: the same hue, lighter, so p50/p99/p99.9 stay recognisable. */
    private static String shade(String color) {
        return switch (color) {
            case "#1f77b4" -> "#7fb8e0";
            case "#d62728" -> "#f08a8b";
            default -> "#c5b0d5";
        };
    }

    static void cpuRow(StringBuilder md, boolean withC, int rate, String label, Map<String, List<Phase>> by,
                               String key, boolean cores) {
        double a = meanCpu(by.get("lasthop"), key);
        double b = meanCpu(by.get("raw-amqp"), key);
        md.append(String.format("| %,d | %s | %s | %s | %s |", rate, label, cpu(a, cores ? meanCores(by.get("lasthop"), key) : Double.NaN),
                cpu(b, cores ? meanCores(by.get("raw-amqp"), key) : Double.NaN), Fmt.ratio(a, b)));
        if (withC) {
            double c = meanCpu(by.get("web-stomp"), key);
            md.append(String.format(" %s | %s |", cpu(c, cores ? meanCores(by.get("web-stomp"), key) : Double.NaN),
                    Fmt.ratio(a, c)));
        }
        md.append('\n');
    }

    private static String cpu(double perK, double cores) {
        if (Double.isNaN(perK)) {
            return "—";
        }
        return Fmt.num(perK, 3) + (Double.isNaN(cores) ? "" : " (" + Fmt.num(cores, 2) + " cores)");
    }

    static String fmtUse(Object o) {
        return o instanceof Probes.AmqpUse u ? u.connections() + " connections / " + u.channels() + " channels" : "not measured";
    }

    static double sumNan(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a + b;
    }

    /** CPU seconds per wall second of the phase: how many cores the process kept busy. */
    private static double meanCores(List<Phase> ps, String key) {
        return ps.stream().filter(p -> p.cpuSeconds().get(key) != null && p.wallSeconds() > 0)
                .mapToDouble(p -> p.cpuSeconds().get(key) / p.wallSeconds()).average().orElse(Double.NaN);
    }

    static double meanCpu(List<Phase> ps, String key) {
        return ps.stream().map(p -> p.cpuPer1k().get(key)).filter(v -> v != null && !Double.isNaN(v))
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
