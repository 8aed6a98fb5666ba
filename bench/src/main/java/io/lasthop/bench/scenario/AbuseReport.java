package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.client.AbuseKind;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;

/**
 * The {@code abuse} scenario's section of the report: the edge's memory under abuse against the
 * same edge idle, the bystanders' latency against the target (within ×1.5 of idle), what became of
 * the abusers as they saw it and as the edge's counters say, and the edge's RSS over each window.
 */
final class AbuseReport {
    /** The target: under abuse, the bystanders' p50 and p99 stay within this factor of the idle run's. */
    static final double LATENCY_BOUND = 1.5;
    /** What the edge documents one connection may cost it at most: unread output plus one request body. */
    static final long BOUND_PER_CONNECTION = (1L << 20) + (64L << 10);

    private AbuseReport() {}

    static Section render(
            AbuseScenario.Params p, Map<String, Object> setup, Phase warmup, List<AbuseScenario.Window> windows) {
        StringBuilder md = new StringBuilder();
        intro(md, p);
        memory(md, p, windows);
        heapTop(md, windows);
        latency(md, windows);
        abusers(md, windows);
        counters(md, windows);
        md.append("\n![edge RSS over each window](%STEM%-abuse-rss.svg)\n");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("params", p);
        data.put("setup", setup);
        data.put("warmup", warmup);
        data.put("windows", windows);
        return new Section(
                "Abuse: memory and bystanders under a " + p.abusers() + "-connection abuse mix " + "(scenario `abuse`)",
                md.toString(),
                data,
                Map.of("abuse-rss.svg", rssChart(windows)));
    }

    private static void intro(StringBuilder md, AbuseScenario.Params p) {
        var a = p.abuse();
        md.append(String.format(
                Locale.ROOT,
                "One edge at its default limits (but the session rates, which bench/run "
                        + "raises), A/B/A/B over %d round(s): **idle**, %d ordinary idle sessions; **abuse**, %d abusive "
                        + "clients for %d s, the kinds in turn:%n%n",
                p.rounds(),
                p.abusers(),
                p.abusers(),
                p.abuseSeconds()));
        for (AbuseKind k : p.kinds()) {
            long n = countOf(p, k);
            md.append(String.format(
                    "- %d × `%s`: %s; in the idle window, an ordinary %s session%n",
                    n, k.wireName, k.description, k.idleCounterpart().wireName));
        }
        md.append(String.format(
                Locale.ROOT,
                "%nEvery %d ms a pinger sends %,d pings (on its WebSocket while the socket "
                        + "takes them, or as one POST of a JSON array, one POST in flight) and a pipeliner %d `GET %s`; at "
                        + "most %,d pings or %,d GETs per connection. An abuser whose connection the edge ends opens the "
                        + "next %,d ms later (resuming its session), at most %d connections per abuser, none after the "
                        + "window. %d bystander WebSocket sessions stay connected throughout and receive %,d msg/s from "
                        + "the confirmed publisher, the same seeded plan in both windows of a round, for %d s (idle: once the idle "
                        + "sessions are connected and %,d ms have passed; abuse: from %d s into the window). Then the edge's heap after a full GC and its RSS are read (`jcmd GC.run`, VmRSS), "
                        + "while the abuse goes on; a sampler reads the edge's RSS and gauges every second through each "
                        + "window. Figures of one round stand side by side; treat differences under ~20 %% as noise. %s %s%n",
                a.tickMs(),
                a.pingsPerTick(),
                a.getsPerTick(),
                a.getPath(),
                a.maxPingsPerConnection(),
                a.maxGetsPerConnection(),
                a.reconnectDelayMs(),
                a.maxConnections(),
                p.bystanders(),
                p.rate(),
                p.stepSeconds(),
                p.settleMs(),
                p.rampSeconds(),
                p.warmupSeconds() > 0
                        ? String.format(
                                Locale.ROOT,
                                "Between round 1's idle and abuse windows the mix ran %d s unrecorded "
                                        + "(`--abuse-warmup-seconds`), so the JIT of the edge and of the load generators "
                                        + "compiled the paths abuse takes there, not in the abuse window.",
                                p.warmupSeconds())
                        : "No unrecorded abuse before round 1's abuse window (`--abuse-warmup-seconds 0`).",
                p.bystandersApart()
                        ? "The bystanders live in a load-generator process of their own, apart from the abusers "
                                + "(`--bystanders-in-harness` keeps them together)."
                        : "The bystanders share the harness process with the abusers (`--bystanders-in-harness`)."));
    }

    private static long countOf(AbuseScenario.Params p, AbuseKind k) {
        long n = 0;
        for (int i = 0; i < p.abusers(); i++) {
            n += p.kindOf(i) == k ? 1 : 0;
        }
        return n;
    }

    private static void memory(StringBuilder md, AbuseScenario.Params p, List<AbuseScenario.Window> windows) {
        md.append(String.format(
                Locale.ROOT,
                "%n### The edge's memory%n%nThe edge documents what one connection may "
                        + "cost it at most: %s of unread output plus one request body (ops/README.md, \"Limits\"), so %d "
                        + "abusive connections may cost up to %s. Read after the bystanders' phase, the abuse going on: "
                        + "the heap after a full GC and the RSS as the `idle` scenario reads them (`jcmd GC.run`, then "
                        + "`GC.heap_info`: under abuse this includes what the edge allocated between the two commands); "
                        + "then the live heap, counted by `jcmd GC.class_histogram` during a full GC of its own. Peaks "
                        + "are of the samples taken every second through the window (committed heap and direct buffers "
                        + "from the edge's JVM metrics). The JVM keeps what it took: a later round's idle window starts "
                        + "from the abuse before it, so round 1 is the clean comparison of RSS.%n%n| round | figure | idle | abuse | abuse / idle | (abuse − "
                        + "idle) per abusive connection |%n|---|---|---|---|---|---|%n",
                Fmt.bytes(BOUND_PER_CONNECTION),
                p.abusers(),
                Fmt.bytes((double) BOUND_PER_CONNECTION * p.abusers())));
        for (Pair w : pairs(windows)) {
            memoryRow(md, p, w, "**RSS**, after the full GC", x -> x.memory().rss());
            memoryRow(md, p, w, "**heap after a full GC** (`GC.heap_info`)", x -> x.memory()
                    .heap());
            memoryRow(md, p, w, "live heap (`GC.class_histogram` total)", x -> x.liveHeap()
                    .totalBytes());
            memoryRow(md, p, w, "RSS, peak", x -> x.peaks().get("rss"));
            memoryRow(md, p, w, "heap committed, peak", x -> x.peaks().get("heap_committed"));
            memoryRow(md, p, w, "direct buffers, peak", x -> x.peaks().get("direct_buffers"));
            memoryRow(
                    md,
                    p,
                    w,
                    "unread output held for clients, peak (`lasthop_client_output_pending_bytes`)",
                    x -> x.peaks().get("output_pending"));
            memoryRow(
                    md,
                    p,
                    w,
                    "kernel TCP memory, whole machine (`/proc/net/sockstat`), after the GC",
                    x -> x.memory().sock() == null ? -1 : x.memory().sock().tcpMemBytes());
            md.append(String.format(
                    "| %d | client connections, peak (`lasthop_client_connections`) | %,d | %,d | | |%n",
                    w.round(),
                    w.idle().peaks().get("client_connections"),
                    w.abuse().peaks().get("client_connections")));
        }
    }

    /** The classes holding most of the edge's live heap, idle and under abuse, in the first round. */
    private static void heapTop(StringBuilder md, List<AbuseScenario.Window> windows) {
        List<Pair> ps = pairs(windows);
        if (ps.isEmpty() || ps.get(0).abuse().liveHeap().top().isEmpty()) {
            return;
        }
        Pair w = ps.get(0);
        List<String> idle = w.idle().liveHeap().top();
        List<String> abuse = w.abuse().liveHeap().top();
        md.append(String.format(
                "%nThe classes holding most of the edge's live heap (round %d), bytes:%n%n"
                        + "| idle | abuse |%n|---|---|%n",
                w.round()));
        for (int i = 0; i < Math.max(idle.size(), abuse.size()); i++) {
            md.append(String.format("| %s | %s |%n", histogramRow(idle, i), histogramRow(abuse, i)));
        }
    }

    private static String histogramRow(List<String> rows, int i) {
        if (i >= rows.size()) {
            return "";
        }
        String[] f = rows.get(i).split(" ", 2);
        return Fmt.bytes(Double.parseDouble(f[0])) + " `" + f[1].replaceAll(" \\(java\\.base@[^)]*\\)$", "") + "`";
    }

    private static void memoryRow(
            StringBuilder md,
            AbuseScenario.Params p,
            Pair w,
            String label,
            ToLongFunction<AbuseScenario.Window> figure) {
        long i = figure.applyAsLong(w.idle());
        long a = figure.applyAsLong(w.abuse());
        boolean both = i >= 0 && a >= 0;
        md.append(String.format(
                "| %d | %s | %s | %s | %s | %s |%n",
                w.round(),
                label,
                Fmt.bytes(i),
                Fmt.bytes(a),
                Fmt.ratio(a, i),
                both ? Fmt.bytesDelta((a - i) / (double) p.abusers()) : "not measured"));
    }

    private static void latency(StringBuilder md, List<AbuseScenario.Window> windows) {
        md.append("\n### The bystanders' delivery latency\n\nPublish → client decode, ms. Target: under abuse, p50 and "
                + "p99 within ×" + LATENCY_BOUND + " of the idle run.\n\n| round | window | published (confirmed) | "
                + "delivered | lost | p50 / p90 / p99 / p99.9 / max | p50 abuse / idle | p99 abuse / idle | cores busy: "
                + "edge, broker, harness (abusers), bystanders' process |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Pair w : pairs(windows)) {
            latencyRow(md, w.round, w.idle, null);
            latencyRow(md, w.round, w.abuse, w.idle);
        }
        LatencySummary idle = merged(windows, "idle");
        LatencySummary abuse = merged(windows, "abuse");
        md.append(String.format(
                "| all | idle | | | | %s | | | |%n| all | abuse | | | | %s | %s | %s | |%n",
                idle.format(),
                abuse.format(),
                Fmt.ratio(abuse.p50Us(), idle.p50Us()),
                Fmt.ratio(abuse.p99Us(), idle.p99Us())));
        md.append("\nTarget, the rounds' histograms merged: **")
                .append(verdict(idle, abuse, LATENCY_BOUND))
                .append("**.\n");
    }

    private static void latencyRow(StringBuilder md, int round, AbuseScenario.Window w, AbuseScenario.Window idle) {
        Phase ph = w.latency();
        LatencySummary l = ph.latency();
        md.append(String.format(
                "| %d | %s | %,d | %,d | %,d | %s | %s | %s | %s, %s, %s, %s |%n",
                round,
                w.condition(),
                ph.published().confirmed(),
                ph.delivered().unique(),
                ph.lost(),
                l.format(),
                idle == null
                        ? ""
                        : Fmt.ratio(l.p50Us(), idle.latency().latency().p50Us()),
                idle == null
                        ? ""
                        : Fmt.ratio(l.p99Us(), idle.latency().latency().p99Us()),
                cores(ph, "edge"),
                cores(ph, "broker"),
                cores(ph, "harness"),
                cores(ph, "client worker 1")));
    }

    private static String cores(Phase ph, String process) {
        Double s = ph.cpuSeconds().get(process);
        return s == null || ph.wallSeconds() <= 0 ? "—" : Fmt.num(s / ph.wallSeconds(), 2);
    }

    /**
     * "met" when the abuse run's p50 and p99 are both within {@code bound} × the idle run's, else
     * "not met" with the ratios that missed; "not measured" without deliveries in either run.
     */
    static String verdict(LatencySummary idle, LatencySummary abuse, double bound) {
        if (idle.count() == 0 || abuse.count() == 0 || idle.p50Us() <= 0 || idle.p99Us() <= 0) {
            return "not measured";
        }
        double r50 = abuse.p50Us() / (double) idle.p50Us();
        double r99 = abuse.p99Us() / (double) idle.p99Us();
        List<String> missed = new ArrayList<>();
        if (r50 > bound) {
            missed.add("p50 " + Fmt.ratio(abuse.p50Us(), idle.p50Us()));
        }
        if (r99 > bound) {
            missed.add("p99 " + Fmt.ratio(abuse.p99Us(), idle.p99Us()));
        }
        return missed.isEmpty()
                ? String.format(
                        Locale.ROOT,
                        "met (p50 %s, p99 %s; bound ×%s)",
                        Fmt.ratio(abuse.p50Us(), idle.p50Us()),
                        Fmt.ratio(abuse.p99Us(), idle.p99Us()),
                        bound)
                : "not met (" + String.join(", ", missed) + "; bound ×" + bound + ")";
    }

    private static LatencySummary merged(List<AbuseScenario.Window> windows, String condition) {
        Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
        windows.stream()
                .filter(w -> w.condition().equals(condition))
                .forEach(w -> h.add(LatencySummary.decode(w.latency().histogram())));
        return LatencySummary.of(h);
    }

    @SuppressWarnings("unchecked")
    private static void abusers(StringBuilder md, List<AbuseScenario.Window> windows) {
        md.append("\n### What became of the abusers, as they saw it\n\nAll rounds summed. A client that reads nothing "
                + "learns that the edge ended its connection only when a write meets the edge's reset, or from its "
                + "POSTs' answers (202: the session is no longer held here; 409: that connection is gone). "
                + "\"Refused\" counts connections that never got to abuse.\n\n| kind | abusers | connections opened / "
                + "tried | refused | ended by the edge (how the client saw it) | mean s until the edge ended one | "
                + "open when stopped | pings, GETs sent | POST answers |\n|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Map<String, Object>> sum = new LinkedHashMap<>();
        for (AbuseScenario.Window w : windows) {
            Object byKind = w.clients().get("by_kind");
            if (byKind instanceof Map<?, ?> m) {
                ((Map<String, Map<String, Object>>) m).forEach((kind, figures) -> {
                    Map<String, Object> acc = sum.computeIfAbsent(kind, k -> new LinkedHashMap<>());
                    figures.forEach((k, v) -> acc.merge(k, v, AbuseReport::add));
                });
            }
        }
        sum.forEach((kind, f) -> {
            long ended = ((Number) f.get("ended_by_edge_count")).longValue();
            md.append(String.format(
                    "| `%s` | %s | %s / %s | %s | %s | %s | %s | %s, %s | %s |%n",
                    kind,
                    f.get("abusers"),
                    f.get("opened"),
                    f.get("connections"),
                    counts(f.get("refused")),
                    counts(f.get("ended_by_edge")),
                    ended == 0 ? "—" : Fmt.num(((Number) f.get("seconds_to_edge_end_sum")).doubleValue() / ended, 1),
                    f.get("open_at_end"),
                    Fmt.num(((Number) f.get("pings")).doubleValue(), 0),
                    Fmt.num(((Number) f.get("gets")).doubleValue(), 0),
                    counts(f.get("post_answers"))));
        });
    }

    /** Adds two figures of the tally: numbers, or maps of counts by key. */
    @SuppressWarnings("unchecked")
    private static Object add(Object a, Object b) {
        if (a instanceof Double x && b instanceof Double y) {
            return x + y;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return x.longValue() + y.longValue();
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            Map<String, Long> m = new TreeMap<>((Map<String, Long>) x);
            ((Map<String, Long>) y).forEach((k, v) -> m.merge(k, v, Long::sum));
            return m;
        }
        return a;
    }

    private static String counts(Object o) {
        if (!(o instanceof Map<?, ?> m) || m.isEmpty()) {
            return "0";
        }
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + ": " + Fmt.num(((Number) v).doubleValue(), 0)));
        return String.join("; ", parts);
    }

    private static void counters(StringBuilder md, List<AbuseScenario.Window> windows) {
        md.append("\n### What the edge did, from its `/metrics`\n\nIncrease of `lasthop_refusals_total{reason}` and "
                + "`lasthop_closes_total{reason}` over each window (bystanders and ordinary sessions included; "
                + "sessions the harness closes itself are not counted as closes).\n\n| counter |");
        TreeSet<String> refusals = new TreeSet<>();
        TreeSet<String> closes = new TreeSet<>();
        for (AbuseScenario.Window w : windows) {
            md.append(' ').append(w.condition()).append(" r").append(w.round()).append(" |");
            refusals.addAll(w.refusals().keySet());
            closes.addAll(w.closes().keySet());
        }
        md.append("\n|---|").append("---|".repeat(windows.size())).append('\n');
        counterRows(md, windows, "refusals", refusals, AbuseScenario.Window::refusals);
        counterRows(md, windows, "closes", closes, AbuseScenario.Window::closes);
        if (refusals.isEmpty() && closes.isEmpty()) {
            md.append("| (no refusal or close counted in any window) |")
                    .append(" |".repeat(windows.size()))
                    .append('\n');
        }
        md.append("| sessions re-attached after a broker connection loss (`lasthop_session_recoveries_total`) |");
        windows.forEach(
                w -> md.append(' ').append(Fmt.num(w.sessionRecoveries(), 0)).append(" |"));
        md.append('\n');
        if (windows.stream().anyMatch(w -> w.loopDelays().containsKey("all"))) {
            md.append("| event-loop delay probes (`lasthop_event_loop_delay_seconds`: every loop, every 100 ms) |");
            windows.forEach(w -> md.append(' ')
                    .append(Fmt.num(w.loopDelays().getOrDefault("all", Double.NaN), 0))
                    .append(" |"));
            md.append('\n');
            for (String bound : AbuseScenario.LATE_BEYOND) {
                md.append("| … run more than ")
                        .append(Fmt.num(Double.parseDouble(bound) * 1000, 0))
                        .append(" ms late |");
                windows.forEach(w -> md.append(' ')
                        .append(Fmt.num(w.loopDelays().getOrDefault(bound, Double.NaN), 0))
                        .append(" |"));
                md.append('\n');
            }
        }
    }

    private static void counterRows(
            StringBuilder md,
            List<AbuseScenario.Window> windows,
            String metric,
            TreeSet<String> reasons,
            java.util.function.Function<AbuseScenario.Window, Map<String, Double>> of) {
        for (String r : reasons) {
            md.append("| ").append(metric).append(" `").append(r).append("` |");
            for (AbuseScenario.Window w : windows) {
                md.append(' ')
                        .append(Fmt.num(of.apply(w).getOrDefault(r, 0.0), 0))
                        .append(" |");
            }
            md.append('\n');
        }
    }

    private static String rssChart(List<AbuseScenario.Window> windows) {
        LineChart c = new LineChart("Edge RSS through each window", "seconds into the window", "MiB", false);
        String[] idleColors = {"#7fb8e0", "#1f77b4", "#17becf"};
        String[] abuseColors = {"#f08a8b", "#d62728", "#ff7f0e"};
        for (AbuseScenario.Window w : windows) {
            List<EdgeSampler.Sample> s =
                    w.samples().stream().filter(x -> x.rssBytes() > 0).toList();
            double[] xs = s.stream().mapToDouble(EdgeSampler.Sample::atSeconds).toArray();
            double[] ys =
                    s.stream().mapToDouble(x -> x.rssBytes() / 1024.0 / 1024.0).toArray();
            boolean idle = w.condition().equals("idle");
            String[] colors = idle ? idleColors : abuseColors;
            c.add(new LineChart.Series(
                    w.condition() + " r" + w.round(), colors[(w.round() - 1) % colors.length], idle, xs, ys));
        }
        return c.render();
    }

    /** The idle and abuse windows of one round. */
    private record Pair(int round, AbuseScenario.Window idle, AbuseScenario.Window abuse) {}

    private static List<Pair> pairs(List<AbuseScenario.Window> windows) {
        Map<Integer, AbuseScenario.Window[]> byRound = new TreeMap<>();
        for (AbuseScenario.Window w : windows) {
            byRound.computeIfAbsent(w.round(), r -> new AbuseScenario.Window[2])[
                    w.condition().equals("idle") ? 0 : 1] = w;
        }
        List<Pair> out = new ArrayList<>();
        byRound.forEach((round, w) -> {
            if (w[0] != null && w[1] != null) {
                out.add(new Pair(round, w[0], w[1]));
            }
        });
        return out;
    }
}
