package io.lasthop.bench.scenario;

import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.client.AbuseKind;
import io.lasthop.bench.client.AbuseMix;
import io.lasthop.bench.client.AbuseSettings;
import io.lasthop.bench.client.ClientPool;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.SourceAddresses;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.EdgeProbes;
import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an abuse mix costs the edge, and what it does to everyone else (issue 11, "Benchmark"). A
 * few bystander WebSocket sessions stay connected throughout. Each round has two windows, idle
 * then abuse (A/B/A/B):
 * <ul>
 *   <li>idle: N ordinary idle sessions, each on the transport of the abuser it stands in for
 *       ({@link AbuseKind#idleCounterpart()});
 *   <li>abuse: N abusive clients ({@link AbuseMix}) for {@code --abuse-seconds}, the kinds in turn
 *       (every kind, or those {@code --abuse-kinds} names).
 * </ul>
 * In each window the publisher sends the bystanders the round's seeded plan at a fixed rate (a
 * {@link Phase}: their delivery latency, and CPU per process), then the edge's heap after a full
 * GC and its RSS are read ({@link Snapshot}); an {@link EdgeSampler} records the edge's RSS and
 * unread output every second, and the edge's refusal and close counters are read before and after.
 * The report is {@link AbuseReport}'s.
 */
public final class AbuseScenario {
    /** Classes of the edge's heap histogram kept per window. */
    static final int HEAP_TOP = 8;

    private AbuseScenario() {}

    /**
     * One window: the bystanders' latency phase; the edge's memory after it (heap after a full GC,
     * RSS, kernel TCP memory; then the live heap by class, counted during a full GC of its own);
     * the peaks of each figure the sampler read; the edge's refusals and closes during the window, by
     * reason, and its session recoveries (a broker connection lost: the window is then not clean);
     * what the window's own clients saw; every sample.
     */
    record Window(
            String condition,
            int round,
            Phase latency,
            Snapshot memory,
            ProcessProbes.HeapHistogram liveHeap,
            Map<String, Long> peaks,
            Map<String, Double> refusals,
            Map<String, Double> closes,
            double sessionRecoveries,
            Map<String, Double> loopDelays,
            Map<String, Object> clients,
            List<EdgeSampler.Sample> samples) {}

    /** The scenario's parameters, as run. */
    record Params(
            int abusers,
            List<AbuseKind> kinds,
            int bystanders,
            int rate,
            int stepSeconds,
            int abuseSeconds,
            int rampSeconds,
            int settleMs,
            int rounds,
            int warmupSeconds,
            boolean bystandersApart,
            AbuseSettings abuse) {
        /** The kind of abuser i, and of the idle session that stands in for it: the kinds in turn. */
        AbuseKind kindOf(int i) {
            return kinds.get(i % kinds.size());
        }
    }

    public static Section run(RunContext ctx) throws Exception {
        Params p = params(ctx);
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        Schedule schedule =
                new Schedule(ctx.opts.longValue("seed", 42), p.bystanders(), ctx.opts.ints("sizes", "64,256,1024"));
        List<String> bystanderUsers = ctx.users("aby", p.bystanders());
        List<Window> windows = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        Phase warmup;
        Fleet fleet = ctx.fleet(p.bystanders(), Transport.WEBSOCKET);
        if (p.bystandersApart()) {
            // The abusers' load generation, its threads and its collections, would otherwise share a
            // JVM with the clients whose latency is measured, and show in it as the edge's doing.
            fleet.localCapacity(0);
        }
        try (Fleet bystanders = fleet;
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            ConnectReport c =
                    bystanders.connect(bystanderUsers, Transport.WEBSOCKET, concurrency, Duration.ofSeconds(60));
            setup.put("bystanders_opened", c.opened());
            setup.put("bystander_connect_failures", c.failures());
            if (c.opened() < p.bystanders()) {
                ctx.notes.put(
                        "abuse",
                        "only " + c.opened() + " of " + p.bystanders() + " bystanders connected; "
                                + "messages to the others count as lost");
            }
            int index = 0;
            warmup = Phase.run(
                    ctx,
                    bystanders,
                    pub,
                    "lasthop",
                    PhaseTarget.toUsers(bystanderUsers),
                    index++,
                    -1,
                    0,
                    schedule.plan(1_000, 0, p.rate(), p.rate() * 3),
                    true,
                    3,
                    false);
            for (int round = 1; round <= p.rounds(); round++) {
                if (!ctx.timeLeft(Duration.ofSeconds(p.abuseSeconds() + 3L * p.stepSeconds() + 120))) {
                    ctx.notes.put("abuse_time", "stopped after round " + (round - 1) + ": the time limit was near");
                    break;
                }
                Schedule.Plan plan = schedule.plan(0, round, p.rate(), p.rate() * p.stepSeconds());
                Bystanders b = new Bystanders(bystanders, pub, bystanderUsers, plan, p.stepSeconds());
                windows.add(idle(ctx, p, round, index++, b, concurrency));
                if (round == 1) {
                    // After round 1's idle window, whose RSS is then the edge's before any abuse.
                    warmUpAbuse(ctx, p);
                }
                windows.add(abuse(ctx, p, round, index++, b));
            }
            setup.put("bystander_client_stats", bystanders.stats());
            List<String> queues = bystanders.sessionQueues();
            bystanders.closeAll(Duration.ofSeconds(30));
            setup.put("bystander_queues_deleted", ctx.deleteQueues(queues));
        }
        return AbuseReport.render(p, setup, warmup, windows);
    }

    private static Params params(RunContext ctx) {
        AbuseSettings d = AbuseSettings.DEFAULT;
        AbuseSettings abuse = new AbuseSettings(
                ctx.opts.integer("abuse-tick-ms", (int) d.tickMs()),
                ctx.opts.integer("abuse-pings-per-tick", d.pingsPerTick()),
                ctx.opts.integer("abuse-gets-per-tick", d.getsPerTick()),
                ctx.opts.longValue("abuse-max-pings", d.maxPingsPerConnection()),
                ctx.opts.integer("abuse-max-gets", d.maxGetsPerConnection()),
                ctx.opts.integer("abuse-reconnect-ms", (int) d.reconnectDelayMs()),
                ctx.opts.integer("abuse-max-connections", d.maxConnections()),
                ctx.opts.str("abuse-get-path", d.getPath()));
        int abuseSeconds = ctx.opts.integer("abuse-seconds", 90);
        int rampSeconds = ctx.opts.integer("abuse-ramp-seconds", 10);
        int stepSeconds = ctx.opts.integer("step-seconds", 20);
        if (rampSeconds + 3 * stepSeconds > abuseSeconds) {
            throw new IllegalArgumentException(
                    "--abuse-seconds must leave room for the ramp and the bystanders' phase: "
                            + "at least --abuse-ramp-seconds + 3 × --step-seconds = "
                            + (rampSeconds + 3 * stepSeconds));
        }
        List<String> names = ctx.opts.list("abuse-kinds");
        List<AbuseKind> kinds = names.isEmpty()
                ? List.of(AbuseKind.values())
                : names.stream().map(AbuseKind::parse).toList();
        return new Params(
                ctx.opts.integer("abusers", 100),
                kinds,
                ctx.opts.integer("bystanders", 4),
                ctx.opts.integer("bystander-rate", 200),
                stepSeconds,
                abuseSeconds,
                rampSeconds,
                ctx.opts.integer("settle-ms", 3_000),
                ctx.opts.integer("rounds", 2),
                ctx.opts.integer("abuse-warmup-seconds", 120),
                !ctx.opts.flag("bystanders-in-harness"),
                abuse);
    }

    /** The bystanders and what each window publishes to them. */
    private record Bystanders(Fleet fleet, Publisher pub, List<String> users, Schedule.Plan plan, int stepSeconds) {
        /** The round's plan, published to the bystanders: their delivery latency, and CPU per process. */
        Phase latency(RunContext ctx, int index, int round) throws Exception {
            return Phase.run(
                    ctx,
                    fleet,
                    pub,
                    "lasthop",
                    PhaseTarget.toUsers(users),
                    index,
                    0,
                    round,
                    plan,
                    false,
                    stepSeconds,
                    false);
        }
    }

    private static Window idle(RunContext ctx, Params p, int round, int index, Bystanders b, int concurrency)
            throws Exception {
        System.err.printf("abuse round %d: the edge idle, %d ordinary idle sessions%n", round, p.abusers());
        List<String> users = ctx.users("ai" + round + "-", p.abusers());
        Map<Transport, List<String>> byTransport = new TreeMap<>();
        for (int i = 0; i < users.size(); i++) {
            byTransport
                    .computeIfAbsent(p.kindOf(i).idleCounterpart(), t -> new ArrayList<>())
                    .add(users.get(i));
        }
        EdgeCounters before = EdgeCounters.read(ctx);
        try (EdgeSampler sampler = new EdgeSampler(ctx.edgeHost, ctx.edgePort, ctx.edgePid);
                Fleet idle = ctx.fleet(p.abusers(), Transport.SSE)) {
            Map<String, Object> clients = new LinkedHashMap<>();
            for (Map.Entry<Transport, List<String>> e : byTransport.entrySet()) {
                ConnectReport r = idle.connect(e.getValue(), e.getKey(), concurrency, Duration.ofSeconds(60));
                clients.put(
                        e.getKey().wireName + "_opened",
                        r.opened() + " of " + e.getValue().size());
                if (r.failed() > 0) {
                    clients.put(e.getKey().wireName + "_failures", r.failures());
                }
            }
            Thread.sleep(p.settleMs());
            Phase latency = b.latency(ctx, index, round);
            Snapshot memory = Snapshot.take(p.abusers(), ctx.edgePid, true, ctx.queueRegex());
            ProcessProbes.HeapHistogram liveHeap = ProcessProbes.heapHistogram(ctx.edgePid, HEAP_TOP);
            clients.put("client_stats", idle.stats());
            List<String> queues = idle.sessionQueues();
            idle.closeAll(Duration.ofSeconds(30));
            clients.put("queues_deleted", ctx.deleteQueues(queues));
            return window("idle", round, latency, memory, liveHeap, sampler, before, clients, ctx);
        }
    }

    private static Window abuse(RunContext ctx, Params p, int round, int index, Bystanders b) throws Exception {
        System.err.printf("abuse round %d: %d abusive clients for %d s%n", round, p.abusers(), p.abuseSeconds());
        List<String> users = ctx.users("ab" + round + "-", p.abusers());
        EdgeCounters before = EdgeCounters.read(ctx);
        ClientPool pool = abusePool(ctx);
        try (AbuseMix mix = AbuseMix.of(pool, p.abuse());
                EdgeSampler sampler = new EdgeSampler(ctx.edgeHost, ctx.edgePort, ctx.edgePid)) {
            long end = System.nanoTime() + Duration.ofSeconds(p.abuseSeconds()).toNanos();
            mix.start(users, p.kinds(), end);
            Thread.sleep(p.rampSeconds() * 1_000L);
            Phase latency = b.latency(ctx, index, round);
            Snapshot memory = Snapshot.take(p.abusers(), ctx.edgePid, true, ctx.queueRegex());
            ProcessProbes.HeapHistogram liveHeap = ProcessProbes.heapHistogram(ctx.edgePid, HEAP_TOP);
            long left = end - System.nanoTime();
            if (left > 0) {
                Thread.sleep(left / 1_000_000);
            }
            Map<String, Object> clients = new LinkedHashMap<>();
            clients.put("abusers_not_stopped_in_20_s", mix.stop(Duration.ofSeconds(20)));
            clients.put("by_kind", mix.tally().snapshot());
            clients.put("client_stats", pool.stats().snapshot());
            clients.put("queues_deleted", ctx.deleteQueues(mix.sessionQueues()));
            return window("abuse", round, latency, memory, liveHeap, sampler, before, clients, ctx);
        }
    }

    /**
     * The mix for {@code --abuse-warmup-seconds} before round 1's abuse window, not recorded: the
     * edge's JIT compiles the paths abuse takes (floods, refusals, closes) here, not in that window,
     * as the bystanders' warm-up phase does for delivery.
     */
    private static void warmUpAbuse(RunContext ctx, Params p) throws Exception {
        if (p.warmupSeconds() <= 0) {
            return;
        }
        System.err.printf("abuse warm-up: %d abusive clients for %d s, not recorded%n", p.abusers(), p.warmupSeconds());
        try (AbuseMix mix = AbuseMix.of(abusePool(ctx), p.abuse())) {
            mix.start(
                    ctx.users("aw-", p.abusers()),
                    p.kinds(),
                    System.nanoTime() + Duration.ofSeconds(p.warmupSeconds()).toNanos());
            Thread.sleep(p.warmupSeconds() * 1_000L);
            mix.stop(Duration.ofSeconds(20));
            ctx.deleteQueues(mix.sessionQueues());
        }
    }

    private static ClientPool abusePool(RunContext ctx) {
        return new ClientPool(
                ctx.edgeHost,
                ctx.edgePort,
                ctx.secret,
                Duration.ofHours(1),
                ctx.ledgers,
                new SourceAddresses(0, SourceAddresses.DEFAULT_PER_ADDRESS, 0),
                ctx.opts.integer("client-threads", 2));
    }

    private static Window window(
            String condition,
            int round,
            Phase latency,
            Snapshot memory,
            ProcessProbes.HeapHistogram liveHeap,
            EdgeSampler sampler,
            EdgeCounters before,
            Map<String, Object> clients,
            RunContext ctx) {
        EdgeCounters after = EdgeCounters.read(ctx);
        return new Window(
                condition,
                round,
                latency,
                memory,
                liveHeap,
                sampler.peaks(),
                EdgeCounters.delta(before.refusals, after.refusals),
                EdgeCounters.delta(before.closes, after.closes),
                after.recoveries - before.recoveries,
                lateProbes(before.loopDelay, after.loopDelay),
                clients,
                sampler.samples());
    }

    /** Bucket bounds of {@code lasthop_event_loop_delay_seconds} the report counts probes beyond. */
    static final List<String> LATE_BEYOND = List.of("0.005", "0.01", "0.05", "0.1");

    /**
     * Over a window, from the cumulative buckets of {@code lasthop_event_loop_delay_seconds} (by
     * {@code le}) before and after it: the probes run ({@code "all"}) and those later than each bound
     * of {@link #LATE_BEYOND}; empty if the edge has no such histogram.
     */
    static Map<String, Double> lateProbes(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> late = new TreeMap<>();
        String all = "+Inf";
        if (!after.containsKey(all)) {
            return late;
        }
        double probes = after.get(all) - before.getOrDefault(all, 0.0);
        late.put("all", probes);
        for (String bound : LATE_BEYOND) {
            double within = after.getOrDefault(bound, Double.NaN) - before.getOrDefault(bound, 0.0);
            late.put(bound, probes - within);
        }
        return late;
    }

    /**
     * The edge's {@code lasthop_refusals_total} and {@code lasthop_closes_total}, by reason,
     * {@code lasthop_session_recoveries_total}, and the buckets of
     * {@code lasthop_event_loop_delay_seconds}.
     */
    private record EdgeCounters(
            Map<String, Double> refusals,
            Map<String, Double> closes,
            double recoveries,
            Map<String, Double> loopDelay) {
        static EdgeCounters read(RunContext ctx) {
            String text = EdgeProbes.metrics(ctx.edgeHost, ctx.edgePort);
            if (text == null) {
                return new EdgeCounters(Map.of(), Map.of(), Double.NaN, Map.of());
            }
            return new EdgeCounters(
                    EdgeProbes.byLabel(text, "lasthop_refusals_total", "reason"),
                    EdgeProbes.byLabel(text, "lasthop_closes_total", "reason"),
                    EdgeProbes.parseGauge(text, "lasthop_session_recoveries_total"),
                    EdgeProbes.byLabel(text, "lasthop_event_loop_delay_seconds_bucket", "le"));
        }

        /** after − before for every reason either has, those that did not change left out. */
        static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
            Map<String, Double> d = new TreeMap<>();
            after.forEach((k, v) -> {
                double x = v - before.getOrDefault(k, 0.0);
                if (x != 0) {
                    d.put(k, x);
                }
            });
            return d;
        }
    }
}
