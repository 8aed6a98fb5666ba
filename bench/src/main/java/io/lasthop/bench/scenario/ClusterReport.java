package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.Section;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code cluster} scenario's report: per peer and per broker node, with the ratios against the baselines. */
final class ClusterReport {
    private ClusterReport() {}

    static Section render(int n, int rate, int stepSeconds, List<ClusterScenario.Peer> peers) {
        StringBuilder md = new StringBuilder();
        md.append("N = ")
                .append(Fmt.num(n, 0))
                .append(" WebSocket sessions per peer, one peer at a time; then ")
                .append(Fmt.num(rate, 0))
                .append(" msg/s for ")
                .append(stepSeconds)
                .append(" s to random users of the peer. `single-classic`: an edge on a RabbitMQ node alone "
                        + "(the baseline); `cluster-classic` and `cluster-quorum`: an edge on the 3-node cluster "
                        + "(`LASTHOP_AMQP_ADDRESSES`, one AMQP connection per node, queues `client-local`). "
                        + "Memory is each node's `memory_breakdown` (all but `reserved_unallocated`) after the "
                        + "sessions opened minus before; CPU is each node's `beam.smp` (utime + stime). "
                        + "`cluster-classic-nolocality`: the same, its edge started with the benchmark-only "
                        + "`-Dlasthop.bench.queueLocator=random`, so queues land on any node and about two "
                        + "deliveries in three cross the cluster.\n\n");

        md.append("| peer | node | queues on it | broker memory / session | broker CPU ms / session opened "
                + "| idle broker CPU, % of a core per 1,000 sessions | broker CPU s / 1,000 delivered |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (ClusterScenario.Peer p : peers) {
            double memTotal = 0;
            double cpuOpen = 0;
            double cpuIdle = 0;
            double cpuMsg = 0;
            for (String node : p.nodes()) {
                double mem = perSession(p, node);
                memTotal += mem;
                double co = p.cpuConnect().getOrDefault(node, Double.NaN)
                        * 1000
                        / Math.max(1, p.connect().opened());
                cpuOpen += co;
                double ci = idlePct(p, node);
                cpuIdle += ci;
                double cm = perK(p, p.cpuPhase().getOrDefault(node, Double.NaN));
                cpuMsg += cm;
                md.append("| ")
                        .append(p.role())
                        .append(" | ")
                        .append(shortNode(node))
                        .append(" | ")
                        .append(p.queuesPerNode().getOrDefault(node, 0))
                        .append(" | ")
                        .append(Fmt.bytesDelta(mem))
                        .append(" | ")
                        .append(Fmt.num(co, 2))
                        .append(" | ")
                        .append(Fmt.num(ci, 2))
                        .append(" | ")
                        .append(Fmt.num(cm, 3))
                        .append(" |\n");
            }
            md.append("| ")
                    .append(p.role())
                    .append(" | **all nodes** | ")
                    .append(p.queuesPerNode().values().stream()
                            .mapToInt(Integer::intValue)
                            .sum())
                    .append(" | **")
                    .append(Fmt.bytesDelta(memTotal))
                    .append("** | **")
                    .append(Fmt.num(cpuOpen, 2))
                    .append("** | **")
                    .append(Fmt.num(cpuIdle, 2))
                    .append("** | **")
                    .append(Fmt.num(cpuMsg, 3))
                    .append("** |\n");
        }
        md.append(
                "\n| peer | sessions opened | consumers on their queue's node | sessions / s | connect p50 / p99 ms | publish → client ms p50 / p90 / "
                        + "p99 / p99.9 / max | delivered / confirmed | lost | duplicates | edge CPU s / 1,000 delivered |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (ClusterScenario.Peer p : peers) {
            var h = p.connect().latencyUs();
            md.append("| ")
                    .append(p.role())
                    .append(" | ")
                    .append(p.connect().opened())
                    .append(" of ")
                    .append(p.sessions())
                    .append(" | ")
                    .append(p.localConsumers())
                    .append(" | ")
                    .append(Fmt.num(p.connect().perSecond(), 0))
                    .append(" | ")
                    .append(LatencySummary.ms(h.getValueAtPercentile(50)))
                    .append(" / ")
                    .append(LatencySummary.ms(h.getValueAtPercentile(99)))
                    .append(" | ")
                    .append(p.latency().format())
                    .append(" | ")
                    .append(p.delivered().unique())
                    .append(" / ")
                    .append(p.delivered().expected())
                    .append(" | ")
                    .append(p.delivered().lost())
                    .append(" | ")
                    .append(p.delivered().duplicates())
                    .append(" | ")
                    .append(Fmt.num(perK(p, p.cpuPhase().getOrDefault("edge", Double.NaN)), 3))
                    .append(" |\n");
        }
        ClusterScenario.Peer single = find(peers, "single-classic");
        ClusterScenario.Peer classic = find(peers, "cluster-classic");
        ClusterScenario.Peer quorum = find(peers, "cluster-quorum");
        md.append("\n| ratio | broker memory / session (all nodes) | sessions / s | broker CPU / session opened "
                + "| broker CPU / delivered message (all nodes) | latency p50 | latency p99 |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        if (classic != null && single != null) {
            ratioRow(md, "cluster-classic / single-classic", classic, single);
        }
        ClusterScenario.Peer nolocal = find(peers, "cluster-classic-nolocality");
        if (nolocal != null && classic != null) {
            ratioRow(md, "cluster-classic-nolocality / cluster-classic", nolocal, classic);
        }
        if (quorum != null && classic != null) {
            ratioRow(md, "cluster-quorum / cluster-classic", quorum, classic);
        }
        if (quorum != null && single != null) {
            ratioRow(md, "cluster-quorum / single-classic", quorum, single);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("rate", rate);
        data.put("step_seconds", stepSeconds);
        data.put("peers", peers.stream().map(ClusterReport::toMap).toList());
        return new Section(
                "Scenario `cluster`: per-node cost, cluster against one node, quorum against classic",
                md.toString(),
                data,
                Map.of());
    }

    private static void ratioRow(StringBuilder md, String label, ClusterScenario.Peer a, ClusterScenario.Peer b) {
        md.append("| ")
                .append(label)
                .append(" | ")
                .append(Fmt.ratio(total(a, (p, nd) -> perSession(p, nd)), total(b, (p, nd) -> perSession(p, nd))))
                .append(" | ")
                .append(Fmt.ratio(a.connect().perSecond(), b.connect().perSecond()))
                .append(" | ")
                .append(Fmt.ratio(
                        total(
                                a,
                                (p, nd) -> p.cpuConnect().getOrDefault(nd, Double.NaN)
                                        / Math.max(1, p.connect().opened())),
                        total(
                                b,
                                (p, nd) -> p.cpuConnect().getOrDefault(nd, Double.NaN)
                                        / Math.max(1, p.connect().opened()))))
                .append(" | ")
                .append(Fmt.ratio(
                        total(a, (p, nd) -> perK(p, p.cpuPhase().getOrDefault(nd, Double.NaN))),
                        total(b, (p, nd) -> perK(p, p.cpuPhase().getOrDefault(nd, Double.NaN)))))
                .append(" | ")
                .append(Fmt.ratio(a.latency().p50Us(), b.latency().p50Us()))
                .append(" | ")
                .append(Fmt.ratio(a.latency().p99Us(), b.latency().p99Us()))
                .append(" |\n");
    }

    interface PerNode {
        double get(ClusterScenario.Peer p, String node);
    }

    static double total(ClusterScenario.Peer p, PerNode f) {
        double t = 0;
        for (String nd : p.nodes()) {
            t += f.get(p, nd);
        }
        return t;
    }

    static double perSession(ClusterScenario.Peer p, String node) {
        long a = p.memoryBefore().getOrDefault(node, -1L);
        long b = p.memoryAfter().getOrDefault(node, -1L);
        if (a < 0 || b < 0 || p.connect().opened() == 0) {
            return Double.NaN;
        }
        return (b - a) / (double) p.connect().opened();
    }

    static double idlePct(ClusterScenario.Peer p, String node) {
        double s = p.cpuIdle().getOrDefault(node, Double.NaN);
        return s / p.idleSeconds() * 100 / Math.max(1, p.connect().opened()) * 1000;
    }

    static double perK(ClusterScenario.Peer p, double cpuSeconds) {
        long d = p.delivered().unique();
        return d == 0 ? Double.NaN : cpuSeconds / (d / 1000.0);
    }

    private static ClusterScenario.Peer find(List<ClusterScenario.Peer> peers, String role) {
        return peers.stream().filter(p -> p.role().equals(role)).findFirst().orElse(null);
    }

    private static String shortNode(String node) {
        int dash = node.indexOf('-');
        int dash2 = node.indexOf('-', dash + 1);
        return dash >= 0 && dash2 > dash ? node.substring(dash + 1, dash2) : node;
    }

    private static Map<String, Object> toMap(ClusterScenario.Peer p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", p.role());
        m.put("nodes", p.nodes());
        m.put("sessions", p.sessions());
        m.put("opened", p.connect().opened());
        m.put("connect_failures", p.connect().failures());
        m.put("connect_per_s", p.connect().perSecond());
        m.put("memory_before", p.memoryBefore());
        m.put("memory_after", p.memoryAfter());
        m.put("queues_per_node", p.queuesPerNode());
        m.put("local_consumers", p.localConsumers());
        m.put("cpu_connect_s", p.cpuConnect());
        m.put("cpu_idle_s", p.cpuIdle());
        m.put("idle_seconds", p.idleSeconds());
        m.put("cpu_phase_s", p.cpuPhase());
        m.put("rate", p.rate());
        m.put("published_sent", p.published().sent());
        m.put("published_confirmed", p.published().confirmed());
        m.put("published_nacked", p.published().nacked());
        m.put("publisher_rate", p.published().ratePerSecond());
        m.put("delivered", p.delivered().unique());
        m.put("lost", p.delivered().lost());
        m.put("duplicates", p.delivered().duplicates());
        m.put("latency", p.latency().toMap());
        m.put("histogram", p.histogram());
        m.put("drain_ms", p.drainMs());
        return m;
    }
}
