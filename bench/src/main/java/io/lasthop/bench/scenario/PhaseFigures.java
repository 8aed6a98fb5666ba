package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * What the reports of the scenarios made of {@link Phase}s ({@code rate}, {@code fanout}) draw
 * from their phases alike: peer labels, latency per peer and rate with the rounds merged, the rows
 * of the CPU table, and the latency lines of the plots.
 */
final class PhaseFigures {
    /** A peer's name in tables and plots; the system under test in bold. */
    static final Map<String, String> LABEL =
            Map.of("lasthop", "**Lasthop**", "raw-amqp", "raw AMQP", "web-stomp", "Web-STOMP");

    private PhaseFigures() {}

    /** The phases of one peer at one target rate. */
    static List<Phase> of(List<Phase> phases, int rate, String peer) {
        return phases.stream()
                .filter(p -> p.targetRate() == rate && p.peer().equals(peer))
                .toList();
    }

    /** Each peer's latency at each rate (in the order of {@code rates}), the rounds' histograms merged. */
    static Map<String, Map<Integer, LatencySummary>> mergedLatency(
            List<Phase> phases, List<String> peers, Set<Integer> rates) {
        Map<String, Map<Integer, LatencySummary>> merged = new LinkedHashMap<>();
        for (String peer : peers) {
            Map<Integer, LatencySummary> byRate = new LinkedHashMap<>();
            for (int rate : rates) {
                Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
                of(phases, rate, peer).forEach(p -> h.add(LatencySummary.decode(p.histogram())));
                byRate.put(rate, LatencySummary.of(h));
            }
            merged.put(peer, byRate);
        }
        return merged;
    }

    /**
     * The CPU table's rows for one rate: CPU seconds per 1,000 deliveries of the edge, the broker
     * and the harness (with the cores each kept busy), then what serving cost, under
     * {@code servingLabel}: A's edge and broker against the baselines' broker.
     */
    static void cpuRows(
            StringBuilder md, boolean withC, int rate, List<Phase> phases, List<String> peers, String servingLabel) {
        Map<String, List<Phase>> by = new LinkedHashMap<>();
        for (String peer : peers) {
            by.put(peer, of(phases, rate, peer));
        }
        cpuRow(md, withC, rate, "edge", by, "edge", true);
        cpuRow(md, withC, rate, "broker", by, "broker", true);
        cpuRow(md, withC, rate, "harness", by, "harness", false);
        double ta = sumNan(meanCpu(by.get("lasthop"), "edge"), meanCpu(by.get("lasthop"), "broker"));
        double tb = meanCpu(by.get("raw-amqp"), "broker");
        md.append(String.format(
                "| %,d | %s | %s | %s | %s |", rate, servingLabel, Fmt.num(ta, 3), Fmt.num(tb, 3), Fmt.ratio(ta, tb)));
        if (withC) {
            double tc = meanCpu(by.get("web-stomp"), "broker");
            md.append(String.format(" %s | %s |", Fmt.num(tc, 3), Fmt.ratio(ta, tc)));
        }
        md.append('\n');
    }

    private static void cpuRow(
            StringBuilder md,
            boolean withC,
            int rate,
            String label,
            Map<String, List<Phase>> by,
            String key,
            boolean cores) {
        double a = meanCpu(by.get("lasthop"), key);
        double b = meanCpu(by.get("raw-amqp"), key);
        md.append(String.format(
                "| %,d | %s | %s | %s | %s |",
                rate,
                label,
                cpu(a, cores ? meanCores(by.get("lasthop"), key) : Double.NaN),
                cpu(b, cores ? meanCores(by.get("raw-amqp"), key) : Double.NaN),
                Fmt.ratio(a, b)));
        if (withC) {
            double c = meanCpu(by.get("web-stomp"), key);
            md.append(String.format(
                    " %s | %s |", cpu(c, cores ? meanCores(by.get("web-stomp"), key) : Double.NaN), Fmt.ratio(a, c)));
        }
        md.append('\n');
    }

    private static String cpu(double perK, double cores) {
        if (Double.isNaN(perK)) {
            return "—";
        }
        return Fmt.num(perK, 3) + (Double.isNaN(cores) ? "" : " (" + Fmt.num(cores, 2) + " cores)");
    }

    private static double sumNan(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a + b;
    }

    /** CPU seconds per wall second of the phase: how many cores the process kept busy. */
    private static double meanCores(List<Phase> ps, String key) {
        return ps.stream()
                .filter(p -> p.cpuSeconds().get(key) != null && p.wallSeconds() > 0)
                .mapToDouble(p -> p.cpuSeconds().get(key) / p.wallSeconds())
                .average()
                .orElse(Double.NaN);
    }

    private static double meanCpu(List<Phase> ps, String key) {
        return ps.stream()
                .map(p -> p.cpuPer1k().get(key))
                .filter(v -> v != null && !Double.isNaN(v))
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.NaN);
    }

    /** Client bytes read per delivery over the edge's transport, the mean of A's phases that measured it. */
    static double clientBytesRead(List<Phase> phases) {
        return phases.stream()
                .filter(p -> p.peer().equals("lasthop"))
                .mapToDouble(Phase::clientBytesReadPerMsg)
                .filter(v -> !Double.isNaN(v))
                .average()
                .orElse(Double.NaN);
    }

    static double meanPayload(List<Phase> phases) {
        return phases.stream().mapToDouble(Phase::meanPayload).average().orElse(Double.NaN);
    }

    /** AMQP connections and channels of a setup's reading, or "not measured". */
    static String amqpUse(Object o) {
        return o instanceof BrokerProbes.AmqpUse u
                ? u.connections() + " connections / " + u.channels() + " channels"
                : "not measured";
    }

    /**
     * Adds each peer's p50, p99 and p99.9 line at {@code xs} (one x per merged rate, in order), in
     * ms: Lasthop solid, the baselines dashed, Web-STOMP in lighter hues of the same colours.
     */
    static void latencyLines(
            LineChart c, double[] xs, List<String> peers, Map<String, Map<Integer, LatencySummary>> merged) {
        String[] colors = {"#1f77b4", "#d62728", "#9467bd"};
        String[] pct = {"p50", "p99", "p99.9"};
        for (String peer : peers) {
            for (int k = 0; k < 3; k++) {
                final int kk = k;
                double[] ys = merged.get(peer).values().stream()
                        .mapToDouble(l -> {
                            long v = kk == 0 ? l.p50Us() : kk == 1 ? l.p99Us() : l.p999Us();
                            return v <= 0 ? Double.NaN : v / 1000.0;
                        })
                        .toArray();
                String name = LABEL.get(peer).replace("*", "") + " " + pct[k];
                c.add(new LineChart.Series(
                        name,
                        peer.equals("web-stomp") ? shade(colors[k]) : colors[k],
                        !peer.equals("lasthop"),
                        xs,
                        ys));
            }
        }
    }

    /** Web-STOMP's lines: the same hue, lighter, so p50/p99/p99.9 stay recognisable. */
    private static String shade(String color) {
        return switch (color) {
            case "#1f77b4" -> "#7fb8e0";
            case "#d62728" -> "#f08a8b";
            default -> "#c5b0d5";
        };
    }
}
