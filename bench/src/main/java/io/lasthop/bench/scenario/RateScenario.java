package io.lasthop.bench.scenario;

import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.StompPeer;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * User-addressed messages at rising rates. N edge sessions and N raw-AMQP consumers stay connected
 * the whole time; for every rate step and round the one publisher runs the same seeded plan first
 * to the edge's users (A), then to the raw consumers' users (B): A/B/A/B. Each phase publishes a
 * fixed count (rate × step seconds), waits for the deliveries to drain, and records latency
 * (publish → client decode), delivered vs published, and CPU per process (see {@link Phase}); the
 * report is {@link RateReport}'s.
 */
public final class RateScenario {
    private RateScenario() {}

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
        int settleMs = ctx.opts.integer("settle-ms", 3_000);
        int quietSeconds = ctx.opts.integer("quiet-seconds", 0);
        int declareChannels = ctx.opts.integer("declare-channels", 8);
        boolean brokerPerPhase = !ctx.opts.flag("no-broker-memory");
        Transport transport = ctx.transport();
        Schedule schedule = new Schedule(seed, n, sizes);
        if (ctx.opts.flag("peers-apart")) {
            return runApart(
                    ctx,
                    n,
                    rates,
                    stepSeconds,
                    rounds,
                    sizes,
                    seed,
                    warmupSeconds,
                    concurrency,
                    settleMs,
                    quietSeconds,
                    declareChannels,
                    brokerPerPhase,
                    transport,
                    schedule);
        }

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
                RawAmqpPeer raw = ctx.rawPeer(n, "rate.");
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf(
                    "rate: connecting %d %s sessions and %d raw consumers%s%n",
                    n, transport.wireName, n, ctx.stomp == null ? "" : " and " + n + " Web-STOMP connections");
            // Memory per session: the edge's RSS and the broker's memory before and after each ramp
            // (A first, then B on top of it), read after a pause; the broker is all this run's
            // when it is a private node (BENCH_BROKER=private).
            warmUp(ctx, fleet, transport, n, concurrency, settleMs);
            Snapshot s0 = Snapshot.take(0, ctx.edgePid, true, ctx.queueRegex());
            ConnectReport ce = fleet.connect(users.get("lasthop"), transport, concurrency, Duration.ofSeconds(300));
            Thread.sleep(settleMs);
            Snapshot sA = Snapshot.take(ce.opened(), ctx.edgePid, true, ctx.queueRegex());
            // B: the same queues declared by pipelined no-wait declares (the broker's declare floor),
            // then bound the same way, then a consumer registered on each (channel, qos, consume).
            RawAmqpPeer.Pipelined pd =
                    raw.declarePipelined(users.get("raw-amqp"), declareChannels, Duration.ofSeconds(300));
            if (pd.failure() != null) {
                ctx.notes.put("rate_declares", "pipelined declares failed: " + pd.failure());
            }
            ConnectReport cr = raw.consumeDeclared(16, Duration.ofSeconds(300));
            Thread.sleep(settleMs);
            Snapshot sB = Snapshot.take(ce.opened() + cr.opened(), ctx.edgePid, true, ctx.queueRegex());
            setup.put("edge_sessions_opened", ce.opened());
            setup.put("edge_connect_failures", ce.failures());
            setup.put("edge_connect_per_s", Math.round(ce.perSecond()));
            setup.put("edge_connect_ms", io.lasthop.bench.LatencySummary.of(ce.latencyUs()));
            setup.put("raw_consumers_opened", cr.opened());
            setup.put("raw_connect_failures", cr.failures());
            setup.put("raw_connect_per_s", Math.round(cr.perSecond()));
            setup.put("raw_pipelined", pd);
            setup.put("raw_pipelined_declares_per_s", Math.round(pd.declaresPerSecond()));
            setup.put("raw_pipelined_binds_per_s", Math.round(pd.bindsPerSecond()));
            setup.put("raw_pipelined_declared_and_bound_per_s", Math.round(pd.declaredAndBoundPerSecond()));
            setup.put("memory_before", s0.figures());
            setup.put("memory_after_edge", sA.figures());
            setup.put("memory_after_raw", sB.figures());
            setup.put("edge_per_session", sA.perSession(s0));
            setup.put("raw_per_session", sB.perSession(sA));
            if (quietSeconds > 0) {
                setup.put("quiet", QuietCpu.measure(ctx, fleet, quietSeconds, ce.opened(), cr.opened()));
            }
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
            BrokerProbes.AmqpUse use = ctx.edgeNodeId.isBlank() ? null : BrokerProbes.amqpUse(ctx.edgeNodeId);
            setup.put("edge_amqp", use);
            setup.put("raw_amqp", new BrokerProbes.AmqpUse(raw.connectionCount(), raw.channelCount()));
            if (ce.opened() < n || cr.opened() < n || (stompOpened >= 0 && stompOpened < n)) {
                ctx.notes.put(
                        "rate",
                        "not every session connected: edge " + ce.opened() + ", raw " + cr.opened()
                                + (stompOpened >= 0 ? ", web-stomp " + stompOpened : "") + " of " + n
                                + "; messages to the missing users count as lost");
            }
            Thread.sleep(2_000);

            int[] index = {0};
            Map<String, PeerPhase> peerPhases = new LinkedHashMap<>();
            for (String peer : users.keySet()) {
                peerPhases.put(
                        peer,
                        peerPhase(
                                ctx,
                                fleet,
                                peer.equals("web-stomp") ? stompPub : pub,
                                peer,
                                users.get(peer),
                                index,
                                stepSeconds));
            }
            for (Schedule.Plan plan : unrecordedPlans(ctx, schedule, n, rates.get(0), warmupSeconds)) {
                for (PeerPhase next : peerPhases.values()) {
                    phases.add(next.run(-1, 0, plan, true, false));
                }
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
                    for (Map.Entry<String, PeerPhase> peer : peerPhases.entrySet()) {
                        Phase ph = peer.getValue().run(s, round, plan, false, brokerPerPhase);
                        phases.add(ph);
                        edgeSaturated |= peer.getKey().equals("lasthop") && ph.saturated();
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
        return RateReport.render(
                n, transport, sizes, seed, stepSeconds, setup, phases, new ArrayList<>(users.keySet()));
    }

    /**
     * {@code --peers-apart}: one peer connected at a time, so the broker never holds both peers'
     * queues (2 N durable queues can pass its file limit, and a classic queue keeps a file open per
     * queue that got a persistent message). A connects, runs every phase (warm-up, each rate ×
     * rounds), closes and its queues are deleted; then B the same. Not interleaved: the machine's
     * drift between the two halves is not cancelled out.
     */
    /**
     * A cold edge (JIT, heap sizing) grows for reasons other than its sessions: opens and closes
     * {@code --warmup-sessions} once before the memory readings.
     */
    private static void warmUp(RunContext ctx, Fleet fleet, Transport transport, int n, int concurrency, int settleMs)
            throws Exception {
        int warm = Math.min(n, ctx.opts.integer("warmup-sessions", 200));
        if (warm > 0) {
            fleet.connect(ctx.users("rwe", warm), transport, concurrency, Duration.ofSeconds(300));
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            ctx.deleteQueues(queues);
            Thread.sleep(settleMs);
        }
    }

    private static Section runApart(
            RunContext ctx,
            int n,
            List<Integer> rates,
            int stepSeconds,
            int rounds,
            int[] sizes,
            long seed,
            int warmupSeconds,
            int concurrency,
            int settleMs,
            int quietSeconds,
            int declareChannels,
            boolean brokerPerPhase,
            Transport transport,
            Schedule schedule)
            throws Exception {
        if (ctx.stomp != null) {
            throw new IllegalArgumentException("--peers-apart runs Lasthop and raw AMQP only");
        }
        List<Phase> phases = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("peers_apart", true);
        Map<String, List<String>> users = new LinkedHashMap<>();
        users.put("lasthop", ctx.users("re", n));
        users.put("raw-amqp", ctx.users("rr", n));
        int[] index = {0};
        try (Fleet fleet = ctx.fleet(n, transport);
                RawAmqpPeer raw = ctx.rawPeer(n, "rate.");
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf("rate, peers apart: %d %s sessions first%n", n, transport.wireName);
            warmUp(ctx, fleet, transport, n, concurrency, settleMs);
            Snapshot s0 = Snapshot.take(0, ctx.edgePid, true, ctx.queueRegex());
            ConnectReport ce = fleet.connect(users.get("lasthop"), transport, concurrency, Duration.ofSeconds(300));
            Thread.sleep(settleMs);
            Snapshot sA = Snapshot.take(ce.opened(), ctx.edgePid, true, ctx.queueRegex());
            setup.put("edge_sessions_opened", ce.opened());
            setup.put("edge_connect_failures", ce.failures());
            setup.put("edge_connect_per_s", Math.round(ce.perSecond()));
            setup.put("edge_connect_ms", io.lasthop.bench.LatencySummary.of(ce.latencyUs()));
            setup.put("memory_before", s0.figures());
            setup.put("memory_after_edge", sA.figures());
            setup.put("edge_per_session", sA.perSession(s0));
            setup.put("edge_amqp", ctx.edgeNodeId.isBlank() ? null : BrokerProbes.amqpUse(ctx.edgeNodeId));
            if (quietSeconds > 0) {
                setup.put("quiet", QuietCpu.measure(ctx, fleet, quietSeconds, ce.opened(), 0));
            }
            phasesOf(
                    ctx,
                    fleet,
                    pub,
                    "lasthop",
                    users,
                    index,
                    phases,
                    schedule,
                    rates,
                    rounds,
                    stepSeconds,
                    warmupSeconds,
                    brokerPerPhase);
            setup.put("client_stats", fleet.stats());
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            setup.put("edge_queues_deleted", ctx.deleteQueues(queues));
            Thread.sleep(settleMs);

            System.err.printf("rate, peers apart: %d raw consumers%n", n);
            Snapshot r0 = Snapshot.take(0, ctx.edgePid, true, ctx.queueRegex());
            RawAmqpPeer.Pipelined pd =
                    raw.declarePipelined(users.get("raw-amqp"), declareChannels, Duration.ofSeconds(300));
            if (pd.failure() != null) {
                ctx.notes.put("rate_declares", "pipelined declares failed: " + pd.failure());
            }
            ConnectReport cr = raw.consumeDeclared(16, Duration.ofSeconds(300));
            Thread.sleep(settleMs);
            Snapshot sB = Snapshot.take(cr.opened(), ctx.edgePid, true, ctx.queueRegex());
            setup.put("raw_consumers_opened", cr.opened());
            setup.put("raw_connect_failures", cr.failures());
            setup.put("raw_connect_per_s", Math.round(cr.perSecond()));
            setup.put("raw_pipelined", pd);
            setup.put("raw_pipelined_declares_per_s", Math.round(pd.declaresPerSecond()));
            setup.put("raw_pipelined_binds_per_s", Math.round(pd.bindsPerSecond()));
            setup.put("raw_pipelined_declared_and_bound_per_s", Math.round(pd.declaredAndBoundPerSecond()));
            setup.put("memory_before_raw", r0.figures());
            setup.put("memory_after_raw", sB.figures());
            setup.put("raw_per_session", sB.perSession(r0));
            setup.put("raw_amqp", new BrokerProbes.AmqpUse(raw.connectionCount(), raw.channelCount()));
            if (quietSeconds > 0) {
                setup.put("quiet_raw", QuietCpu.measure(ctx, fleet, quietSeconds, 0, cr.opened()));
            }
            setup.put("client_processes", fleet.pids().size());
            if (ce.opened() < n || cr.opened() < n) {
                ctx.notes.put(
                        "rate",
                        "not every session connected: edge " + ce.opened() + ", raw " + cr.opened() + " of " + n
                                + "; messages to the missing users count as lost");
            }
            phasesOf(
                    ctx,
                    fleet,
                    pub,
                    "raw-amqp",
                    users,
                    index,
                    phases,
                    schedule,
                    rates,
                    rounds,
                    stepSeconds,
                    warmupSeconds,
                    brokerPerPhase);
        }
        return RateReport.render(
                n, transport, sizes, seed, stepSeconds, setup, phases, new ArrayList<>(users.keySet()));
    }

    /**
     * The phases each peer runs unrecorded before its first recorded one: with {@code --prime-rate}
     * (the default), one message to each of {@code users} users, because a classic queue opens its
     * index files for its first persistent message, which took both peers' p99 to ~1 s in whichever
     * recorded phase it fell (2026-12-06 runs), and after it every phase meets queues that have been
     * written to, as a long-running deployment's are; then the warm-up at the first rate.
     */
    static List<Schedule.Plan> unrecordedPlans(
            RunContext ctx, Schedule schedule, int users, int firstRate, int warmupSeconds) {
        List<Schedule.Plan> plans = new ArrayList<>();
        int primeRate = ctx.opts.integer("prime-rate", 1_000);
        if (primeRate > 0) {
            plans.add(Schedule.each(users, primeRate, 64));
        }
        plans.add(schedule.plan(1_000, 0, firstRate, firstRate * warmupSeconds));
        return plans;
    }

    /** One peer's unrecorded phases, then each rate × rounds, while the time limit allows. */
    private static void phasesOf(
            RunContext ctx,
            Fleet fleet,
            Publisher pub,
            String peer,
            Map<String, List<String>> users,
            int[] index,
            List<Phase> phases,
            Schedule schedule,
            List<Integer> rates,
            int rounds,
            int stepSeconds,
            int warmupSeconds,
            boolean brokerPerPhase)
            throws Exception {
        Thread.sleep(2_000);
        PeerPhase next = peerPhase(ctx, fleet, pub, peer, users.get(peer), index, stepSeconds);
        int first = rates.get(0);
        for (Schedule.Plan plan : unrecordedPlans(ctx, schedule, users.get(peer).size(), first, warmupSeconds)) {
            phases.add(next.run(-1, 0, plan, true, false));
        }
        for (int s = 0; s < rates.size(); s++) {
            int rate = rates.get(s);
            // This peer's phases at this rate, and the other peer's still to come.
            Duration need =
                    Duration.ofSeconds((long) rounds * (stepSeconds * 2L + 20) * (peer.equals("lasthop") ? 3 : 1));
            if (!ctx.timeLeft(need)) {
                ctx.notes.put("rate_time_" + peer, peer + " stopped before " + rate + "/s: the time limit was near");
                break;
            }
            for (int round = 1; round <= rounds; round++) {
                phases.add(
                        next.run(s, round, schedule.plan(s, round, rate, rate * stepSeconds), false, brokerPerPhase));
            }
        }
    }

    /** The phases of {@code peer}, numbered from {@code index}, which it advances. */
    private static PeerPhase peerPhase(
            RunContext ctx, Fleet fleet, Publisher pub, String peer, List<String> users, int[] index, int stepSeconds) {
        PhaseTarget target = PhaseTarget.toUsers(users);
        return (step, round, plan, warmup, brokerMemory) -> Phase.run(
                ctx, fleet, pub, peer, target, index[0]++, step, round, plan, warmup, stepSeconds, brokerMemory);
    }

    /** One phase of one peer, the next index: what differs between its unrecorded and recorded phases. */
    @FunctionalInterface
    private interface PeerPhase {
        Phase run(int step, int round, Schedule.Plan plan, boolean warmup, boolean brokerMemory) throws Exception;
    }
}
