package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import io.lasthop.bench.scenario.IdleScenario.Ramp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code idle} scenario's section of the report: per session, the connect rate and time, CPU
 * per session opened by process, and the memory of the edge (or consumer JVM), the broker and the
 * kernel, the mean of the rounds, with the ratios A/B (and A/C); each ramp in the order run; and
 * the memory-vs-sessions plot.
 */
final class IdleReport {
    private IdleReport() {}

    private static double mean(List<Ramp> rs, java.util.function.ToDoubleFunction<Ramp> f) {
        return rs.stream()
                .mapToDouble(f)
                .filter(v -> !Double.isNaN(v))
                .average()
                .orElse(Double.NaN);
    }

    /** CPU ms per session of the named processes, summed. */
    private static double cpu(Ramp r, String... keys) {
        return CpuUse.sum(r.cpuMsPerSession(), keys);
    }

    private static double per(Ramp r, String key) {
        Double v = r.perSession().get(key);
        return v == null ? Double.NaN : v;
    }

    static Section render(int n, int checkpoints, Transport t, List<Ramp> ramps) {
        List<Ramp> a =
                ramps.stream().filter(r -> r.peer().startsWith("lasthop")).toList();
        List<Ramp> b = ramps.stream().filter(r -> r.peer().equals("raw-amqp")).toList();
        List<Ramp> c = ramps.stream().filter(r -> r.peer().equals("web-stomp")).toList();
        boolean withC = !c.isEmpty();
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                "%,d idle sessions per phase, ramped in %d steps, %d round(s) interleaved %s: "
                        + "A = Lasthop over %s, B = raw AMQP consumers (one queue per user, no edge)%s. "
                        + "Per-session figures are (value at N − value before the ramp) / sessions opened, "
                        + "the mean of the rounds; heap is measured after a full GC (`jcmd GC.run`).%n%n",
                n,
                checkpoints,
                a.size(),
                withC ? "A/B/C/A/B/C" : "A/B/A/B",
                t.wireName,
                withC
                        ? ", C = RabbitMQ Web-STOMP on a broker node of its own (one STOMP-over-WebSocket "
                                + "connection per user, subscribed to its own queue)"
                        : ""));
        md.append("| figure | Lasthop (A) | raw AMQP (B, baseline) | A / B |")
                .append(withC ? " Web-STOMP (C) | A / C |" : "")
                .append("\n|---|---|---|---|")
                .append(withC ? "---|---|" : "")
                .append('\n');
        row(md, withC, "sessions opened (mean)", a, b, c, r -> r.opened(), v -> Fmt.num(v, 0));
        row(
                md,
                withC,
                "connect rate, sessions/s (higher is better)",
                a,
                b,
                c,
                Ramp::connectPerSecond,
                v -> Fmt.num(v, 0));
        row(md, withC, "connect time p50, ms", a, b, c, r -> r.connectLatency().p50Us() / 1000.0, v -> Fmt.num(v, 1));
        row(md, withC, "connect time p99, ms", a, b, c, r -> r.connectLatency().p99Us() / 1000.0, v -> Fmt.num(v, 1));
        row(md, withC, "CPU ms / session opened: edge", a, b, c, r -> cpu(r, "edge"), v -> Fmt.num(v, 2));
        row(
                md,
                withC,
                "CPU ms / session opened: broker (A, B: shared node; C: its own)",
                a,
                b,
                c,
                r -> cpu(r, "broker"),
                v -> Fmt.num(v, 2));
        row(
                md,
                withC,
                "CPU ms / session opened: **serving** (A: edge + broker; B, C: broker)",
                a,
                b,
                c,
                r -> cpu(r, "edge", "broker"),
                v -> Fmt.num(v, 2));
        row(
                md,
                withC,
                "CPU ms / session opened: load generator (A, C: browser clients; B: the consumers)",
                a,
                b,
                c,
                r -> cpu(r, "load generator"),
                v -> Fmt.num(v, 2));
        if (a.stream().anyMatch(r -> !r.quietUsPerSecond().isEmpty())) {
            row(
                    md,
                    withC,
                    "idle CPU µs/s per session over a quiet window after the ramp: edge",
                    a,
                    b,
                    c,
                    r -> r.quietUsPerSecond().getOrDefault("edge", Double.NaN),
                    v -> Fmt.num(v, 2));
            row(
                    md,
                    withC,
                    "idle CPU µs/s per session: broker",
                    a,
                    b,
                    c,
                    r -> r.quietUsPerSecond().getOrDefault("broker", Double.NaN),
                    v -> Fmt.num(v, 2));
            row(
                    md,
                    withC,
                    "idle CPU µs/s per session: **serving** (A: edge + broker; B: broker)",
                    a,
                    b,
                    c,
                    r -> r.quietUsPerSecond().getOrDefault("edge", 0.0)
                            + r.quietUsPerSecond().getOrDefault("broker", Double.NaN),
                    v -> Fmt.num(v, 2));
        }
        row(
                md,
                withC,
                "queue process memory / session (this run's queues, `list_queues memory`)",
                a,
                b,
                c,
                r -> per(r, "run_queue_mem"),
                Fmt::bytesDelta);
        row(
                md,
                withC,
                "broker memory / session (`memory_breakdown`; A, B: the shared broker, noisy; C: its own node)",
                a,
                b,
                c,
                r -> per(r, "broker_total"),
                Fmt::bytesDelta);
        row(md, withC, "… of which queue processes", a, b, c, r -> per(r, "broker_queue_procs"), Fmt::bytesDelta);
        row(
                md,
                withC,
                "… of which connections (`connection_*`)",
                a,
                b,
                c,
                r -> per(r, "broker_connection"),
                Fmt::bytesDelta);
        row(
                md,
                withC,
                "Java heap after full GC / session (A: edge; B: consumer JVM)",
                a,
                b,
                c,
                r -> per(r, "heap"),
                Fmt::bytesDelta);
        row(
                md,
                withC,
                "RSS / session (A: edge; B: consumer JVM; C: Web-STOMP node)",
                a,
                b,
                c,
                r -> per(r, "rss"),
                Fmt::bytesDelta);
        row(
                md,
                withC,
                "kernel TCP memory / session (`/proc/net/sockstat` mem)",
                a,
                b,
                c,
                r -> per(r, "tcp_mem"),
                Fmt::bytesDelta);
        row(
                md,
                withC,
                "TCP sockets / session (sockstat inuse, both ends on loopback)",
                a,
                b,
                c,
                r -> per(r, "tcp_inuse"),
                v -> Fmt.num(v, 2));
        md.append(String.format(
                "| AMQP connections / channels used | %s | %s | — |%s%n",
                amqp(a),
                amqp(b),
                withC
                        ? " "
                                + (c.isEmpty()
                                        ? ""
                                        : String.format(
                                                "%,d STOMP connections",
                                                c.get(0).opened())) + " | — |"
                        : ""));
        md.append(
                "\nPer round (in the order run):\n\n| round | peer | opened | failed | connect/s | connect p50 / p99 ms "
                        + "| run's queues / session | broker / session | heap / session | RSS / session | queues deleted |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Ramp r : ramps) {
            Map<String, Double> p = r.perSession();
            md.append(String.format(
                    "| %d | %s | %,d | %,d | %s | %s / %s | %s | %s | %s | %s | %,d |%n",
                    r.round(),
                    r.peer(),
                    r.opened(),
                    r.failed(),
                    Fmt.num(r.connectPerSecond(), 0),
                    LatencySummary.ms(r.connectLatency().p50Us()),
                    LatencySummary.ms(r.connectLatency().p99Us()),
                    Fmt.bytesDelta(p.get("run_queue_mem")),
                    Fmt.bytesDelta(p.get("broker_total")),
                    Fmt.bytesDelta(p.get("heap")),
                    Fmt.bytesDelta(p.get("rss")),
                    r.queuesDeleted()));
        }
        for (Ramp r : ramps) {
            if (!r.failures().isEmpty()) {
                md.append(String.format("%nRound %d %s failures: %s%n", r.round(), r.peer(), r.failures()));
            }
        }
        for (Ramp r : a) {
            heapByClass(md, r);
        }
        if (!a.isEmpty() && !a.get(0).clientStats().isEmpty()) {
            md.append("\nClient counters of round 1 (A): `")
                    .append(a.get(0).clientStats())
                    .append("`\n");
        }
        md.append("\n![memory vs sessions](%STEM%-idle-memory.svg)\n");

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("transport", t.wireName);
        data.put("ramps", ramps);
        return new Section(
                "Idle sessions (scenario `idle`)", md.toString(), data, Map.of("idle-memory.svg", plot(a, b, c)));
    }

    /** The classes that grew most on the edge's live heap per session, in one ramp. */
    static void heapByClass(StringBuilder md, Ramp r) {
        HeapByClass h = r.heapByClass();
        if (h.rows().isEmpty()) {
            return;
        }
        md.append(String.format(
                "%nThe edge's live heap per session by class, round %d (class histograms after the ramp and before "
                        + "it, each counted during a full GC; the %d classes that grew most): %s per session in all%n%n"
                        + "| class | instances / session | bytes / session |%n|---|---|---|%n",
                r.round(), h.rows().size(), Fmt.bytesDelta(h.totalBytes())));
        double listed = 0;
        for (HeapByClass.Row row : h.rows()) {
            listed += row.bytes();
            md.append(String.format(
                    "| `%s` | %s | %s |%n", row.className(), Fmt.num(row.instances(), 2), Fmt.num(row.bytes(), 0)));
        }
        md.append(String.format("| the rest | | %s |%n", Fmt.num(h.totalBytes() - listed, 0)));
    }

    private static String amqp(List<Ramp> rs) {
        if (rs.isEmpty() || rs.get(0).amqp() == null) {
            return "not measured";
        }
        BrokerProbes.AmqpUse u = rs.get(0).amqp();
        return u.connections() + " / " + String.format("%,d", u.channels());
    }

    private static void row(
            StringBuilder md,
            boolean withC,
            String name,
            List<Ramp> a,
            List<Ramp> b,
            List<Ramp> c,
            java.util.function.ToDoubleFunction<Ramp> f,
            java.util.function.DoubleFunction<String> fmt) {
        double va = mean(a, f);
        double vb = mean(b, f);
        md.append(String.format("| %s | %s | %s | %s |", name, fmt.apply(va), fmt.apply(vb), Fmt.ratio(va, vb)));
        if (withC) {
            double vc = mean(c, f);
            md.append(String.format(" %s | %s |", fmt.apply(vc), Fmt.ratio(va, vc)));
        }
        md.append('\n');
    }

    private static String plot(List<Ramp> a, List<Ramp> b, List<Ramp> c) {
        LineChart chart = new LineChart(
                "Memory vs idle sessions (growth since the ramp began, mean of rounds)", "sessions open", "MiB", false);
        addSeries(chart, a, "edge heap after GC", "#1f77b4", false, "heap");
        addSeries(chart, a, "edge RSS", "#2ca02c", false, "rss");
        addSeries(chart, b, "consumer JVM heap, raw", "#1f77b4", true, "heap");
        addSeries(chart, a, "run's queues, edge", "#d62728", false, "run_queue_mem");
        addSeries(chart, b, "run's queues, raw", "#d62728", true, "run_queue_mem");
        addSeries(chart, a, "whole broker, edge", "#ff7f0e", false, "broker_total");
        addSeries(chart, b, "whole broker, raw", "#ff7f0e", true, "broker_total");
        addSeries(chart, c, "Web-STOMP node RSS", "#8c564b", false, "rss");
        addSeries(chart, c, "Web-STOMP node memory", "#e377c2", false, "broker_total");
        return chart.render();
    }

    private static void addSeries(LineChart c, List<Ramp> rs, String name, String color, boolean dashed, String key) {
        if (rs.isEmpty()) {
            return;
        }
        int k = rs.get(0).checkpoints().size();
        double[] xs = new double[k + 1];
        double[] ys = new double[k + 1];
        for (int i = 0; i <= k; i++) {
            final int idx = i;
            xs[i] = mean(rs, r -> idx == 0 ? 0 : r.checkpoints().get(idx - 1).sessions());
            ys[i] = mean(rs, r -> {
                if (idx == 0) {
                    return 0;
                }
                long v = r.checkpoints().get(idx - 1).figures().get(key);
                long base = r.base().figures().get(key);
                return v < 0 || base < 0 ? Double.NaN : (v - base) / 1048576.0;
            });
        }
        c.add(new LineChart.Series(name, color, dashed, xs, ys));
    }
}
