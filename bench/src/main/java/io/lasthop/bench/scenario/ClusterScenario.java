package io.lasthop.bench.scenario;

import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Sessions on a 3-node RabbitMQ cluster against a single node, and quorum against classic session
 * queues, in the same run ({@code BENCH_BROKER=cluster}; issue 12). For each peer in turn —
 * {@code single-classic} (an edge on a node alone, the baseline), {@code cluster-classic} and
 * {@code cluster-quorum} (edges on all three nodes, {@code LASTHOP_AMQP_ADDRESSES}) — N WebSocket
 * sessions are opened (sessions per second, broker CPU per session opened on each node), held
 * (broker memory per session on each node, where the queues live, broker CPU while idle), then
 * sent messages at a fixed rate to random users (publish → client latency, broker CPU per delivered
 * message on each node's beam.smp, loss and duplicates), then closed and their queues deleted.
 * Locality: the edge declares every session queue {@code client-local}; {@code cluster-classic-nolocality}
 * is an edge started with the benchmark-only {@code -Dlasthop.bench.queueLocator=random}, whose queues
 * land on any node, so about two deliveries in three cross the cluster. Report: {@link ClusterReport}.
 */
public final class ClusterScenario {
    static final List<String> PEERS =
            List.of("single-classic", "cluster-classic", "cluster-classic-nolocality", "cluster-quorum");

    private ClusterScenario() {}

    /** What one peer measured. */
    record Peer(
            String role,
            List<String> nodes,
            int sessions,
            ConnectReport connect,
            Map<String, Long> memoryBefore,
            Map<String, Long> memoryAfter,
            Map<String, Integer> queuesPerNode,
            int localConsumers,
            Map<String, Double> cpuConnect,
            Map<String, Double> cpuIdle,
            double idleSeconds,
            Map<String, Double> cpuPhase,
            int rate,
            Publisher.Result published,
            Ledger.Counts delivered,
            LatencySummary latency,
            String histogram,
            long drainMs) {}

    public static Section run(RunContext ctx) throws Exception {
        ClusterNodes cn = new ClusterNodes(ctx.opts);
        int n = ctx.opts.integer("cluster-sessions", ctx.opts.integer("sessions", 2_000));
        int rate = ctx.opts.integer("cluster-rate", 1_000);
        int stepSeconds = ctx.opts.integer("step-seconds", 10);
        int idleSeconds = ctx.opts.integer("idle-seconds", 10);
        int warmup = ctx.opts.integer("warmup-sessions", 200);
        int[] sizes = ctx.opts.ints("sizes", "64,256,1024");
        long seed = ctx.opts.longValue("seed", 42);
        List<Peer> peers = new ArrayList<>();
        int phase = 100;
        for (String role : PEERS) {
            if (!cn.roles.contains(role)) {
                continue;
            }
            if (!ctx.timeLeft(Duration.ofSeconds(120))) {
                ctx.notes.put("cluster_time", "stopped before " + role + ": the time limit was near");
                break;
            }
            peers.add(measure(ctx, cn, role, n, rate, stepSeconds, idleSeconds, warmup, sizes, seed, phase));
            phase += 2;
        }
        return ClusterReport.render(n, rate, stepSeconds, peers);
    }

    static ConnectionFactory factory(RunContext ctx, ClusterNodes cn, String role) throws Exception {
        ConnectionFactory f = ctx.amqp();
        if (role.startsWith("single")) {
            f.setUri(cn.singleUri);
        }
        return f;
    }

    static List<String> nodesOf(ClusterNodes cn, String role) {
        return role.startsWith("single") ? List.of(cn.single) : cn.nodes;
    }

    private static Peer measure(
            RunContext ctx,
            ClusterNodes cn,
            String role,
            int n,
            int rate,
            int stepSeconds,
            int idleSeconds,
            int warmup,
            int[] sizes,
            long seed,
            int phase)
            throws Exception {
        RunContext.EdgeNode edge = cn.edge(ctx, role);
        List<String> nodes = nodesOf(cn, role);
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String node : nodes) {
            pids.put(node, ClusterNodes.osPid(node));
        }
        pids.put("edge", edge.pid());
        String kind =
                "k" + role.charAt(0) + role.charAt(role.indexOf('-') + 1) + (role.endsWith("nolocality") ? "n" : "");
        List<String> users = ctx.users(kind, n);
        Transport t = Transport.WEBSOCKET;
        ConnectionFactory f = factory(ctx, cn, role);
        System.err.printf("cluster: %s, %d sessions on %s%n", role, n, nodes);
        try (Publisher pub = new Publisher(f, "lasthop-bench publisher")) {
            if (warmup > 0) {
                // A cold edge (and its JIT) connects and delivers far slower: one unrecorded round first.
                List<String> wu = ctx.users(kind + "w", warmup);
                try (Fleet wf = ctx.fleet(warmup, t, edge)) {
                    wf.connect(wu, t, 64, Duration.ofSeconds(120));
                    Schedule.Plan p = new Schedule(seed, warmup, sizes).plan(0, 0, 500, 1_000);
                    wf.openPhase(phase + 1, p.count());
                    Publisher.Result r =
                            pub.publish(phase + 1, p, wu, Duration.ofSeconds(10).toNanos());
                    Drain.await(() -> wf.counts(phase + 1), r.confirmed(), Duration.ofSeconds(10));
                    wf.closePhase(phase + 1);
                    List<String> q = wf.sessionQueues();
                    wf.closeAll(Duration.ofSeconds(30));
                    ctx.deleteQueues(f, q);
                }
                Thread.sleep(3_000);
            }
            Map<String, Long> mem0 = ClusterNodes.memories(nodes);
            try (Fleet fleet = ctx.fleet(n, t, edge)) {
                Map<String, Double> c0 = ClusterNodes.cpu(pids);
                ConnectReport cr =
                        fleet.connect(users, t, ctx.opts.integer("connect-concurrency", 64), Duration.ofSeconds(600));
                Map<String, Double> c1 = ClusterNodes.cpu(pids);
                Thread.sleep(3_000);
                Map<String, Long> mem1 = ClusterNodes.memories(nodes);
                Map<String, Double> i0 = ClusterNodes.cpu(pids);
                long idle0 = System.nanoTime();
                Thread.sleep(idleSeconds * 1_000L);
                Map<String, Double> i1 = ClusterNodes.cpu(pids);
                double idle = (System.nanoTime() - idle0) / 1e9;
                String regex = "^lasthop\\.s\\.bench-" + ctx.runId + "-" + kind + "\\d";
                Map<String, String> qn = ClusterNodes.queueNodes(nodes.get(0), regex);
                Map<String, Integer> perNode = ClusterNodes.perNode(qn);
                int local = ClusterNodes.localConsumers(nodes.get(0), regex, qn);

                Schedule.Plan plan = new Schedule(seed, n, sizes).plan(1, 1, rate, rate * stepSeconds);
                fleet.openPhase(phase, plan.count());
                Map<String, Double> p0 = ClusterNodes.cpu(pids);
                Publisher.Result res = pub.publish(
                        phase, plan, users, Duration.ofSeconds(stepSeconds * 3L).toNanos());
                Drain d = Drain.await(() -> fleet.counts(phase), res.confirmed(), ctx.drainLimit());
                Map<String, Double> p1 = ClusterNodes.cpu(pids);
                Histogram h = fleet.histogram(phase);
                fleet.closePhase(phase);
                Ledger.Counts c = d.counts();
                Ledger.Counts counts =
                        new Ledger.Counts(res.confirmed(), c.unique(), c.duplicates(), c.foreign(), c.clockSkewed());
                List<String> queues = fleet.sessionQueues();
                fleet.closeAll(Duration.ofSeconds(60));
                int deleted = ctx.deleteQueues(f, queues);
                System.err.printf("cluster: %s done, %d queues deleted%n", role, deleted);
                Thread.sleep(3_000);
                return new Peer(
                        role,
                        nodes,
                        n,
                        cr,
                        mem0,
                        mem1,
                        perNode,
                        local,
                        delta(c0, c1),
                        delta(i0, i1),
                        idle,
                        delta(p0, p1),
                        rate,
                        res,
                        counts,
                        LatencySummary.of(h),
                        LatencySummary.encode(h),
                        d.drainMs());
            }
        }
    }

    static Map<String, Double> delta(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> m = new LinkedHashMap<>();
        a.forEach((k, v) -> m.put(k, b.getOrDefault(k, Double.NaN) - v));
        return m;
    }
}
