package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Idle sessions, ramped: A = N edge sessions (websocket, sse, stream or poll transport),
 * B = N raw-AMQP consumers, one queue each, interleaved A/B/A/B. At each checkpoint of the ramp:
 * heap after a full GC, RSS, broker memory, kernel socket memory. Then everything is closed and
 * its queues deleted. The report is {@link IdleReport}'s.
 */
public final class IdleScenario {
    private IdleScenario() {}

    record Ramp(
            String peer,
            int round,
            long requested,
            long opened,
            long failed,
            Map<String, Long> failures,
            double connectPerSecond,
            LatencySummary connectLatency,
            Snapshot base,
            List<Snapshot> checkpoints,
            BrokerProbes.AmqpUse amqp,
            int queuesDeleted,
            Map<String, Object> clientStats,
            Map<String, Double> cpuMsPerSession,
            Map<String, Double> quietUsPerSecond,
            HeapByClass heapByClass) {
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
                try (RawAmqpPeer p = new RawAmqpPeer(
                        ctx.amqp(), RunContext.rawConnections(n), ctx.ledgers, ctx.rawQueuePrefix() + "w.")) {
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
                ramps.add(rampRaw(ctx, round, n, checkpoints, settleMs, rampTimeout));
                if (ctx.stomp != null) {
                    ramps.add(rampStomp(ctx, round, n, checkpoints, concurrency, settleMs, rampTimeout));
                }
            }
        }
        return IdleReport.render(n, checkpoints, transport, ramps);
    }

    private static Ramp rampEdge(
            RunContext ctx,
            Fleet fleet,
            Transport t,
            int round,
            int n,
            int cps,
            int concurrency,
            int settleMs,
            Duration timeout)
            throws Exception {
        System.err.printf("idle round %d: %d %s sessions through the edge%n", round, n, t.wireName);
        List<String> users = ctx.users("i" + round + "e", n);
        Snapshot base = Snapshot.take(0, ctx.edgePid, true, ctx.queueRegex());
        int heapClasses = ctx.opts.integer("heap-classes", 25);
        Map<String, ProcessProbes.ClassUse> heapBefore =
                heapClasses > 0 ? ProcessProbes.liveByClass(ctx.edgePid) : Map.of();
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
        // After the last checkpoint's RSS, which this histogram's own full GC must not precede.
        HeapByClass heapByClass = heapClasses > 0
                ? HeapByClass.perSession(heapBefore, ProcessProbes.liveByClass(ctx.edgePid), acc.opened, heapClasses)
                : HeapByClass.NONE;
        Map<String, Double> quiet = QuietCpu.perSession(pids, ctx.opts.integer("quiet-seconds", 0), acc.opened);
        BrokerProbes.AmqpUse amqp = ctx.edgeNodeId.isBlank() ? null : BrokerProbes.amqpUse(ctx.edgeNodeId);
        Map<String, Object> stats = fleet.stats();
        List<String> queues = fleet.sessionQueues();
        fleet.closeAll(Duration.ofSeconds(30));
        // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
        int deleted = ctx.deleteQueues(queues);
        Thread.sleep(settleMs);
        return new Ramp(
                "lasthop-" + t.wireName,
                round,
                n,
                acc.opened,
                acc.failed(),
                acc.failures,
                acc.rate(),
                LatencySummary.of(acc.latency),
                base,
                snaps,
                amqp,
                deleted,
                stats,
                acc.cpuMsPerSession(),
                quiet,
                heapByClass);
    }

    private static Ramp rampRaw(RunContext ctx, int round, int n, int cps, int settleMs, Duration timeout)
            throws Exception {
        System.err.printf("idle round %d: %d raw AMQP consumers%n", round, n);
        List<String> users = ctx.users("i" + round + "r", n);
        long self = ProcessHandle.current().pid();
        Snapshot base = Snapshot.take(0, self, true, ctx.queueRegex());
        List<Snapshot> snaps = new ArrayList<>();
        Acc acc = new Acc();
        int deleted;
        BrokerProbes.AmqpUse amqp;
        Map<String, Double> quiet;
        try (RawAmqpPeer peer = ctx.rawPeer(n, "i" + round + ".")) {
            Map<String, Long> pids = Map.of("broker", ctx.brokerPid);
            for (int c = 1; c <= cps; c++) {
                List<String> part = users.subList((c - 1) * n / cps, c * n / cps);
                acc.connect(pids, () -> List.of(self), () -> peer.connectAll(part, 16, timeout));
                Thread.sleep(settleMs);
                snaps.add(Snapshot.take(acc.opened, self, true, ctx.queueRegex()));
                System.err.printf("  %d consuming, %.0f/s%n", acc.opened, acc.rate());
            }
            Map<String, Long> qp = new LinkedHashMap<>(pids);
            qp.put("consumers", self);
            quiet = QuietCpu.perSession(qp, ctx.opts.integer("quiet-seconds", 0), acc.opened);
            amqp = new BrokerProbes.AmqpUse(peer.connectionCount(), peer.channelCount());
            deleted = peer.closeAndDelete(Duration.ofSeconds(120));
        }
        Thread.sleep(settleMs);
        return new Ramp(
                "raw-amqp",
                round,
                n,
                acc.opened,
                acc.failed(),
                acc.failures,
                acc.rate(),
                LatencySummary.of(acc.latency),
                base,
                snaps,
                amqp,
                deleted,
                Map.of(),
                acc.cpuMsPerSession(),
                quiet,
                HeapByClass.NONE);
    }

    private static Ramp rampStomp(
            RunContext ctx, int round, int n, int cps, int concurrency, int settleMs, Duration timeout)
            throws Exception {
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
        return new Ramp(
                "web-stomp",
                round,
                n,
                acc.opened,
                acc.failed(),
                acc.failures,
                acc.rate(),
                LatencySummary.of(acc.latency),
                base,
                snaps,
                null,
                deleted,
                stats,
                acc.cpuMsPerSession(),
                Map.of(),
                HeapByClass.NONE);
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
         * Runs a ramp segment, which connects a share of the users, and charges it the CPU of
         * {@code pids} and of the load generator's processes (see {@link CpuUse#during}).
         */
        void connect(Map<String, Long> pids, Supplier<List<Long>> generator, CpuUse.Operation<ConnectReport> segment)
                throws Exception {
            CpuUse.Measured<ConnectReport> m = CpuUse.during(pids, generator, segment);
            m.seconds().forEach((k, v) -> cpuSeconds.merge(k, v, Double::sum));
            add(m.result());
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
}
