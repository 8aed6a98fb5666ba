package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.EdgeProbes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reconnect storm: every session drops at once, as when a network or a load balancer fails, and
 * resumes at once. A = N edge sessions; B = N raw-AMQP consumers whose channels close and
 * re-register on their existing queues (the floor). While they are away, the publisher sends
 * messages to them; after the resume each must arrive exactly once. Rounds alternate A/B/A/B.
 */
public final class StormScenario {
    private StormScenario() {}

    record Storm(
            String peer,
            int round,
            long dropped,
            long requested,
            long resumed,
            Map<String, Long> failures,
            double resumePerSecond,
            LatencySummary resumeLatency,
            Publisher.Result published,
            Ledger.Counts delivered,
            long lost,
            long drainMs,
            boolean drained,
            Map<String, Double> cpuMsPerResume,
            long releaseMs) {
        long failed() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public static Section run(RunContext ctx) throws Exception {
        // --storm-sessions lets a storm run beside another scenario's larger --sessions.
        int n = ctx.opts.integer("storm-sessions", ctx.opts.integer("sessions", 2_000));
        int rounds = ctx.opts.integer("rounds", 2);
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        int stormConcurrency = ctx.opts.integer("storm-concurrency", 256);
        int rawThreads = ctx.opts.integer("raw-threads", 16);
        int gapMs = ctx.opts.integer("storm-gap-ms", 2_000);
        int outageMessages = ctx.opts.integer("storm-messages", n);
        int rate = ctx.opts.integer("storm-rate", 2_000);
        Transport transport = ctx.transport();
        Duration timeout = Duration.ofSeconds(ctx.opts.integer("ramp-timeout", 300));
        Schedule schedule = new Schedule(ctx.opts.longValue("seed", 42), n, new int[] {64});
        List<String> usersA = ctx.users("se", n);
        List<String> usersB = ctx.users("sr", n);

        List<Storm> storms = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        try (Fleet fleet = ctx.fleet(n, transport);
                RawAmqpPeer raw = ctx.rawPeer(n, "storm.");
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf("storm: connecting %d %s sessions and %d raw consumers%n", n, transport.wireName, n);
            ConnectReport ce = fleet.connect(usersA, transport, concurrency, timeout);
            ConnectReport cr = raw.connectAll(usersB, rawThreads, timeout);
            setup.put("edge_sessions_opened", ce.opened());
            setup.put("raw_consumers_opened", cr.opened());
            setup.put("edge_connect_per_s", Math.round(ce.perSecond()));
            setup.put("raw_connect_per_s", Math.round(cr.perSecond()));
            if (ce.opened() < n || cr.opened() < n) {
                ctx.notes.put(
                        "storm",
                        "not every session connected: edge " + ce.opened() + ", raw " + cr.opened() + " of " + n
                                + "; messages to the missing users count as lost");
            }
            Thread.sleep(2_000);
            int phase = 10_000;
            // Round 0 warms both peers' resume paths up (JIT) and is not recorded.
            for (int round = 0; round <= rounds; round++) {
                if (!ctx.timeLeft(Duration.ofSeconds(60 + 2L * n / 100))) {
                    ctx.notes.put("storm_time", "stopped after round " + (round - 1) + ": the time limit was near");
                    break;
                }
                Schedule.Plan plan = schedule.plan(0, round, rate, outageMessages);
                Map<String, Long> edgePids = new LinkedHashMap<>();
                edgePids.put("edge", ctx.edgePid);
                edgePids.put("broker", ctx.brokerPid);
                Storm sa = storm(
                        ctx,
                        fleet,
                        pub,
                        "lasthop-" + transport.wireName,
                        round,
                        phase++,
                        plan,
                        usersA,
                        gapMs,
                        edgePids,
                        fleet::pids,
                        d -> {
                            int dropped = fleet.dropAll(d);
                            awaitEdgeReleased(ctx, Duration.ofSeconds(120));
                            return dropped;
                        },
                        () -> fleet.resumeAll(stormConcurrency, timeout));
                long self = ProcessHandle.current().pid();
                Storm sb = storm(
                        ctx,
                        fleet,
                        pub,
                        "raw-amqp",
                        round,
                        phase++,
                        plan,
                        usersB,
                        gapMs,
                        Map.of("broker", ctx.brokerPid),
                        () -> List.of(self),
                        d -> raw.dropAll(),
                        () -> raw.resumeAll(rawThreads, timeout));
                if (round > 0) {
                    storms.add(sa);
                    storms.add(sb);
                } else {
                    setup.put("warmup", List.of(sa, sb));
                }
            }
            setup.put("client_stats", fleet.stats());
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            setup.put("edge_queues_deleted", ctx.deleteQueues(queues));
        }
        return section(ctx, n, transport, stormConcurrency, rawThreads, gapMs, outageMessages, setup, storms);
    }

    private interface Drop {
        int drop(Duration timeout) throws Exception;
    }

    private static Storm storm(
            RunContext ctx,
            Fleet fleet,
            Publisher pub,
            String peer,
            int round,
            int phase,
            Schedule.Plan plan,
            List<String> users,
            int gapMs,
            Map<String, Long> pids,
            Supplier<List<Long>> generator,
            Drop drop,
            CpuUse.Operation<ConnectReport> resume)
            throws Exception {
        System.err.printf("storm round %d: %s drops %d sessions%n", round, peer, users.size());
        fleet.openPhase(phase, plan.count());
        long dropStart = System.nanoTime();
        int dropped = drop.drop(Duration.ofSeconds(30));
        long releaseMs = (System.nanoTime() - dropStart) / 1_000_000;
        // The edge needs a moment to see the sockets close and close the sessions' channels; the
        // messages below then wait in the queues, as they would during a real outage.
        Thread.sleep(gapMs);
        Publisher.Result res =
                pub.publish(phase, plan, users, Duration.ofSeconds(60).toNanos());
        CpuUse.Measured<ConnectReport> resumed = CpuUse.during(pids, generator, resume);
        ConnectReport r = resumed.result();
        System.err.printf("  %s resumed %d of %d at %.0f/s%n", peer, r.opened(), dropped, r.perSecond());
        Drain d = Drain.await(() -> fleet.counts(phase), res.confirmed(), ctx.drainLimit());
        Ledger.Counts c = d.counts();
        fleet.closePhase(phase);
        Ledger.Counts counts =
                new Ledger.Counts(res.confirmed(), c.unique(), c.duplicates(), c.foreign(), c.clockSkewed());
        Map<String, Double> perResume = new LinkedHashMap<>();
        if (r.opened() > 0) {
            resumed.seconds().forEach((k, v) -> perResume.put(k, v * 1000 / r.opened()));
        }
        return new Storm(
                peer,
                round,
                dropped,
                r.requested(),
                r.opened(),
                r.failures(),
                r.perSecond(),
                LatencySummary.of(r.latencyUs()),
                res,
                counts,
                counts.lost(),
                d.drainMs(),
                d.drained(),
                perResume,
                releaseMs);
    }

    /**
     * Waits until the edge holds no session: each dropped session's channel is closed (its
     * unacked deliveries requeued) before the edge unregisters it. So the resume is timed alone,
     * as the raw peer's, whose channels are closed when its drop returns.
     */
    private static void awaitEdgeReleased(RunContext ctx, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            double held = EdgeProbes.gauge(ctx.edgeHost, ctx.edgePort, "lasthop_sessions");
            if (held == 0) {
                return;
            }
            Thread.sleep(100);
        }
        ctx.notes.put("storm_release", "the edge still held sessions " + limit.toSeconds() + " s after the drop");
    }

    private static Section section(
            RunContext ctx,
            int n,
            Transport t,
            int stormConcurrency,
            int rawThreads,
            int gapMs,
            int outageMessages,
            Map<String, Object> setup,
            List<Storm> storms) {
        List<Storm> a =
                storms.stream().filter(s -> s.peer().startsWith("lasthop")).toList();
        List<Storm> b = storms.stream().filter(s -> s.peer().equals("raw-amqp")).toList();
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                "%,d sessions per peer, %d round(s) interleaved A/B/A/B after an unrecorded warm-up "
                        + "round. A = Lasthop over %s: every "
                        + "client socket closes at once with no close handshake, then every client resumes its "
                        + "session (`session`, `connection`, `node` of its last `hello`), at most %d handshakes in "
                        + "flight, once the edge has closed every dropped session's channel. B = raw AMQP, the floor: "
                        + "every consumer's channel closes, then a consumer is registered again on each existing queue (channel, `basic.qos`, passive declare, "
                        + "`basic.consume`) from %d threads. %d ms after the channels are closed, %,d messages (64 bytes, seeded, "
                        + "random users) are published to the absent users; after the resume each must arrive "
                        + "exactly once. Resume rate = sessions resumed / time from the first reconnect to the "
                        + "last `hello` (B: `consume-ok`); a session the edge did not resume (a new one instead) "
                        + "counts as failed. Means of the rounds.%n%n",
                n, a.size(), t.wireName, stormConcurrency, rawThreads, gapMs, outageMessages));
        md.append("| figure | Lasthop (A) | raw AMQP (B, baseline) | A / B |\n|---|---|---|---|\n");
        row(md, "sessions dropped", a, b, s -> s.dropped(), v -> Fmt.num(v, 0));
        row(
                md,
                "drop → every channel closed, ms (A: edge's `lasthop_sessions` at 0; B: the closes returned)",
                a,
                b,
                Storm::releaseMs,
                v -> Fmt.num(v, 0));
        row(md, "sessions resumed", a, b, s -> s.resumed(), v -> Fmt.num(v, 0));
        row(md, "not resumed or failed", a, b, Storm::failed, v -> Fmt.num(v, 0));
        row(md, "**resume rate, sessions/s** (higher is better)", a, b, Storm::resumePerSecond, v -> Fmt.num(v, 0));
        row(md, "resume time p50, ms", a, b, s -> s.resumeLatency().p50Us() / 1000.0, v -> Fmt.num(v, 1));
        row(md, "resume time p99, ms", a, b, s -> s.resumeLatency().p99Us() / 1000.0, v -> Fmt.num(v, 1));
        row(
                md,
                "all resumed after, s",
                a,
                b,
                s -> s.resumePerSecond() <= 0 ? Double.NaN : s.resumed() / s.resumePerSecond(),
                v -> Fmt.num(v, 2));
        row(
                md,
                "messages published while away (confirmed)",
                a,
                b,
                s -> s.published().confirmed(),
                v -> Fmt.num(v, 0));
        row(md, "delivered after the resume", a, b, s -> s.delivered().unique(), v -> Fmt.num(v, 0));
        row(md, "lost", a, b, Storm::lost, v -> Fmt.num(v, 0));
        row(md, "duplicates", a, b, s -> s.delivered().duplicates(), v -> Fmt.num(v, 0));
        row(md, "drain after the last resume, ms", a, b, Storm::drainMs, v -> Fmt.num(v, 0));
        row(md, "CPU ms / resume: edge", a, b, s -> cpu(s, "edge"), v -> Fmt.num(v, 2));
        row(md, "CPU ms / resume: broker (shared node)", a, b, s -> cpu(s, "broker"), v -> Fmt.num(v, 2));
        row(
                md,
                "CPU ms / resume: **serving** (A: edge + broker; B: broker)",
                a,
                b,
                s -> cpu(s, "edge", "broker"),
                v -> Fmt.num(v, 2));
        row(md, "CPU ms / resume: load generator", a, b, s -> cpu(s, "load generator"), v -> Fmt.num(v, 2));
        md.append(
                "\nPer round (in the order run):\n\n| round | peer | dropped | resumed | failed | resume/s | resume p50 / "
                        + "p99 ms | published | delivered | lost | dup | drain ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Storm s : storms) {
            md.append(String.format(
                    "| %d | %s | %,d | %,d | %,d | %s | %s / %s | %,d | %,d | %,d | %,d | %,d%s |%n",
                    s.round(),
                    s.peer(),
                    s.dropped(),
                    s.resumed(),
                    s.failed(),
                    Fmt.num(s.resumePerSecond(), 0),
                    LatencySummary.ms(s.resumeLatency().p50Us()),
                    LatencySummary.ms(s.resumeLatency().p99Us()),
                    s.published().confirmed(),
                    s.delivered().unique(),
                    s.lost(),
                    s.delivered().duplicates(),
                    s.drainMs(),
                    s.drained() ? "" : " (not drained)"));
        }
        for (Storm s : storms) {
            if (!s.failures().isEmpty()) {
                md.append(String.format("%nRound %d %s failures: %s%n", s.round(), s.peer(), s.failures()));
            }
        }
        md.append(String.format(
                "%nSet-up: edge sessions opened %s (%s/s), raw consumers %s (%s/s). Client counters: `%s`%n",
                setup.get("edge_sessions_opened"),
                setup.get("edge_connect_per_s"),
                setup.get("raw_consumers_opened"),
                setup.get("raw_connect_per_s"),
                setup.get("client_stats")));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("transport", t.wireName);
        data.put("storm_concurrency", stormConcurrency);
        data.put("raw_threads", rawThreads);
        data.put("setup", setup);
        data.put("storms", storms);
        return new Section("Reconnect storm (scenario `storm`)", md.toString(), data, Map.of());
    }

    /** CPU ms per resume of the named processes, summed. */
    private static double cpu(Storm s, String... keys) {
        return CpuUse.sum(s.cpuMsPerResume(), keys);
    }

    private static void row(
            StringBuilder md,
            String name,
            List<Storm> a,
            List<Storm> b,
            java.util.function.ToDoubleFunction<Storm> f,
            java.util.function.DoubleFunction<String> fmt) {
        double va = a.stream()
                .mapToDouble(f)
                .filter(v -> !Double.isNaN(v))
                .average()
                .orElse(Double.NaN);
        double vb = b.stream()
                .mapToDouble(f)
                .filter(v -> !Double.isNaN(v))
                .average()
                .orElse(Double.NaN);
        md.append(String.format("| %s | %s | %s | %s |%n", name, fmt.apply(va), fmt.apply(vb), Fmt.ratio(va, vb)));
    }
}
