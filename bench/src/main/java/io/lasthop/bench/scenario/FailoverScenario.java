package io.lasthop.bench.scenario;

import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.client.ClientPool;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.EdgeProbes;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * {@code broker-failover} (issue 12): kill -9 of one broker node's VM under a steady publish, for
 * classic session queues (edge {@code cluster-classic}) and then quorum ones ({@code cluster-quorum}),
 * in the same run on the same 3-node cluster ({@code BENCH_BROKER=cluster}). For each: N WebSocket
 * sessions in this process, acking like the JS client; the confirmed publisher (on node 1) sends
 * {@code --failover-rate} msg/s to random users for {@code --failover-seconds}; after
 * {@code --kill-after} seconds one node's beam.smp gets SIGKILL (node 3 for classic, node 2 for quorum,
 * {@code --kill-nodes}: the edges do not move their connections back to a node that returned) (its pid from
 * {@code rabbitmqctl eval 'os:getpid().'}). A session closed with 4102 {@code session_lost} (or 4101)
 * starts a new session at once, as the JS client does when it emits {@code gap}. Measured: for each
 * affected session, kill → gap signal seen by the client, kill → the new session's {@code hello},
 * and kill → re-attached by the edge without the client noticing (the edge's
 * {@code lasthop_session_recoveries_total}, read every 100 ms: the k-th increment's time is the k-th
 * re-attach); messages confirmed but never delivered (each must be to a user whose client saw a gap
 * signal); second arrivals, and those the JS client's de-duplication window (1,000 ids) would not
 * drop, i.e. shown to the application. The node is started again after each peer. Report:
 * {@link FailoverReport}.
 */
public final class FailoverScenario {
    private FailoverScenario() {}

    /** What one peer measured. */
    record Result(
            String role,
            int sessions,
            ConnectReport connect,
            String victim,
            long victimPid,
            Map<String, Integer> queuesPerNode,
            int queuesOnVictim,
            Publisher.Result published,
            Ledger.Counts delivered,
            long lost,
            long lostCovered,
            long lostUsers,
            int gapUsers,
            long gapSignals,
            Map<Integer, Long> gapCodes,
            List<Long> gapMs,
            List<Long> reopenMs,
            long reopenFailures,
            List<Long> reattachMs,
            long reattached,
            long secondArrivals,
            long shownDuplicates,
            LatencySummary latency,
            String histogram,
            boolean restarted,
            long restartMs,
            Map<String, Object> edgeCounters,
            Map<String, Object> clientStats) {}

    /** The edge's counters that tell what became of its sessions. */
    static Map<String, Double> counters(RunContext.EdgeNode edge) {
        Map<String, Double> m = new LinkedHashMap<>();
        String text = EdgeProbes.metrics(edge.host(), edge.port());
        if (text == null) {
            return m;
        }
        for (String name : List.of(
                "lasthop_session_recoveries_total",
                "lasthop_redeliveries_total",
                "lasthop_sessions_opened_total",
                "lasthop_deliveries_total")) {
            m.put(name, EdgeProbes.parseGauge(text, name));
        }
        EdgeProbes.byLabel(text, "lasthop_closes_total", "reason")
                .forEach((k, v) -> m.put("lasthop_closes_total{" + k + "}", v));
        return m;
    }

    public static Section run(RunContext ctx) throws Exception {
        ClusterNodes cn = new ClusterNodes(ctx.opts);
        int n = ctx.opts.integer("failover-sessions", 1_000);
        int rate = ctx.opts.integer("failover-rate", 1_000);
        int seconds = ctx.opts.integer("failover-seconds", 30);
        int killAfter = ctx.opts.integer("kill-after", 10);
        // One node per peer, never node 1 (the publisher's): an edge's connections do not move back to a
        // node that returns, so after the first kill no edge is connected to that node any more.
        int[] victims = ctx.opts.ints("kill-nodes", "3,2");
        List<Result> results = new ArrayList<>();
        int phase = 200;
        int k = 0;
        for (String role : List.of("cluster-classic", "cluster-quorum")) {
            int victim = victims[Math.min(k++, victims.length - 1)] - 1;
            if (!ctx.timeLeft(Duration.ofSeconds(seconds + 150L))) {
                ctx.notes.put("failover_time", "stopped before " + role + ": the time limit was near");
                break;
            }
            results.add(measure(ctx, cn, role, n, rate, seconds, killAfter, victim, phase++));
        }
        return FailoverReport.render(n, rate, seconds, killAfter, results);
    }

    private static Result measure(
            RunContext ctx,
            ClusterNodes cn,
            String role,
            int n,
            int rate,
            int seconds,
            int killAfter,
            int victim,
            int phase)
            throws Exception {
        RunContext.EdgeNode edge = cn.edge(ctx, role);
        String victimNode = cn.nodes.get(victim);
        String via = cn.nodes.get(victim == 0 ? 1 : 0);
        String kind = role.equals("cluster-quorum") ? "fq" : "fc";
        List<String> users = ctx.users(kind, n);
        Transport t = Transport.WEBSOCKET;
        String queueRegex = "^lasthop\\.s\\.bench-" + ctx.runId + "-" + kind + "\\d";
        System.err.printf(
                "broker-failover: %s, %d sessions, kill -9 of %s after %d s%n", role, n, victimNode, killAfter);
        ExecutorService bg = Executors.newFixedThreadPool(2);
        try (Fleet fleet = ctx.fleet(n, t, edge);
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            if (fleet.groups().size() > 1 || n > ctx.sessionsPerProcess(t)) {
                throw new IllegalArgumentException(
                        "broker-failover keeps its sessions in this process: at most " + ctx.sessionsPerProcess(t));
            }
            ClientPool pool = fleet.localPool().gapMode(true);
            ConnectReport cr = fleet.connect(users, t, 64, Duration.ofSeconds(300));
            Thread.sleep(3_000);
            Map<String, String> qn = ClusterNodes.queueNodes(via, queueRegex);
            Map<String, Integer> perNode = ClusterNodes.perNode(qn);
            int onVictim = perNode.getOrDefault(victimNode, 0);

            Schedule.Plan plan = new Schedule(42, n, new int[] {64, 256, 1024}).plan(2, 1, rate, rate * seconds);
            fleet.openPhase(phase, plan.count());
            Map<String, Double> counters0 = counters(edge);
            double recoveries0 = EdgeProbes.gauge(edge.host(), edge.port(), "lasthop_session_recoveries_total");
            if (Double.isNaN(recoveries0)) {
                recoveries0 = 0;
            }
            double base = recoveries0;
            Future<Publisher.Result> publishing = bg.submit(() -> pub.publish(
                    phase, plan, users, Duration.ofSeconds(seconds * 3L).toNanos()));
            Thread.sleep(killAfter * 1_000L);
            long killUs = EpochMicros.now();
            long victimPid = cn.kill9(victim);
            System.err.printf("broker-failover: killed %s (pid %d)%n", victimNode, victimPid);
            // The edge's re-attach counter, every 100 ms, until the publish ends and 10 s more.
            List<long[]> samples = new ArrayList<>();
            long sampleEnd = System.nanoTime()
                    + Duration.ofSeconds(seconds - killAfter + 10L).toNanos();
            while (System.nanoTime() < sampleEnd) {
                double v = EdgeProbes.gauge(edge.host(), edge.port(), "lasthop_session_recoveries_total");
                if (!Double.isNaN(v)) {
                    samples.add(new long[] {EpochMicros.now(), (long) (v - base)});
                }
                Thread.sleep(100);
            }
            Publisher.Result res = publishing.get();
            Map<String, Double> counters1 = counters(edge);
            Map<String, Object> edgeCounters = new LinkedHashMap<>();
            counters1.forEach((k2, v) -> edgeCounters.put(k2, v - counters0.getOrDefault(k2, 0.0)));
            Drain d = Drain.await(() -> fleet.counts(phase), res.confirmed(), ctx.drainLimit());
            Ledger ledger = ctx.ledgers.get(phase);
            Set<String> gapUsers = new HashSet<>();
            Map<Integer, Long> codes = new LinkedHashMap<>();
            List<Long> gapMs = new ArrayList<>();
            for (ClientPool.GapEvent g : pool.gaps) {
                gapUsers.add(g.user());
                codes.merge(g.code(), 1L, Long::sum);
                gapMs.add((g.atUs() - killUs) / 1_000);
            }
            List<Long> reopenMs = new ArrayList<>();
            for (ClientPool.GapEvent g : pool.reopened) {
                reopenMs.add((g.atUs() - killUs) / 1_000);
            }
            // Confirmed, never delivered: each must be to a user whose client saw a gap signal.
            Set<Integer> notConfirmed = new HashSet<>();
            for (int i : res.notConfirmed()) {
                notConfirmed.add(i);
            }
            long lost = 0;
            long covered = 0;
            Set<String> lostUsers = new HashSet<>();
            for (int i = 0; i < res.sent(); i++) {
                if (notConfirmed.contains(i) || ledger.has(i)) {
                    continue;
                }
                lost++;
                String u = users.get(plan.user()[i]);
                lostUsers.add(u);
                if (gapUsers.contains(u)) {
                    covered++;
                }
            }
            Histogram h = fleet.histogram(phase);
            Ledger.Counts c = d.counts();
            fleet.closePhase(phase);
            long total = samples.isEmpty() ? 0 : samples.get(samples.size() - 1)[1];
            List<Long> reattachMs = new ArrayList<>();
            long k = 1;
            for (long[] s : samples) {
                while (k <= s[1]) {
                    reattachMs.add((s[0] - killUs) / 1_000);
                    k++;
                }
            }
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(60));
            ctx.deleteQueues(queues);
            long r0 = System.nanoTime();
            boolean restarted = cn.restart(victim, 180);
            long restartMs = (System.nanoTime() - r0) / 1_000_000;
            System.err.printf("broker-failover: %s started again: %s after %d ms%n", victimNode, restarted, restartMs);
            // The old sessions' queues on the killed node came back with it: delete them (they would expire anyway).
            ctx.deleteQueues(
                    new ArrayList<>(ClusterNodes.queueNodes(via, queueRegex).keySet()));
            return new Result(
                    role,
                    n,
                    cr,
                    victimNode,
                    victimPid,
                    perNode,
                    onVictim,
                    res,
                    new Ledger.Counts(res.confirmed(), c.unique(), c.duplicates(), c.foreign(), c.clockSkewed()),
                    lost,
                    covered,
                    lostUsers.size(),
                    gapUsers.size(),
                    pool.gaps.size(),
                    codes,
                    gapMs,
                    reopenMs,
                    pool.reopenFailures.sum(),
                    reattachMs,
                    total,
                    c.duplicates(),
                    pool.shownDuplicates.sum(),
                    LatencySummary.of(h),
                    LatencySummary.encode(h),
                    restarted,
                    restartMs,
                    edgeCounters,
                    pool.stats().snapshot());
        } finally {
            bg.shutdownNow();
        }
    }
}
