package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** The {@code tls} scenario's report: TLS edge against plaintext edge, HTTP/2 against HTTP/1.1, providers. */
final class TlsReport {
    private TlsReport() {}

    static Section render(
            Map<String, Object> setup, List<TlsScenario.Batch> batches, List<TlsScenario.SsePass> sse, int rounds) {
        StringBuilder md = new StringBuilder();
        md.append("A plaintext edge and a TLS edge (same build and settings, `tls.cert.file`/`tls.key.file` on the "
                        + "second: a self-signed EC P-256 certificate made by `openssl` for the run), side by side on one "
                        + "broker, interleaved A/B per round (")
                .append(rounds)
                .append(" rounds). The client is the JDK's TLS provider, TLS 1.3 preferred, trusting that certificate; "
                        + "it keeps no session to resume, so every TLS connection is a full handshake. Ratios are "
                        + "TLS / plain. Figures merge the rounds (rates: their mean; CPU: total over total).\n\n");

        List<TlsScenario.Batch> hs = of(batches, "handshake");
        if (!hs.isEmpty()) {
            md.append("### Handshakes: a connection with no session\n\n")
                    .append("Each connection opens, handshakes, sends `GET /healthz` (`Connection: close`), reads "
                            + "the answer and closes; ")
                    .append(setup.get("handshakes"))
                    .append(" per phase, ")
                    .append(setup.get("handshake_concurrency"))
                    .append(" being opened at once. No broker work: this is what TLS adds to a connection.")
                    .append(negotiated(hs))
                    .append("\n\n");
            md.append(compare(
                    hs,
                    List.of(TlsScenario.PLAIN, TlsScenario.TLS),
                    List.of(
                            row("connections per second", b -> b.perSecond(), 0, true, false),
                            row("edge CPU ms per connection", b -> cpu(b, "edge"), 3, false, true),
                            row(
                                    "harness (client) CPU ms per connection",
                                    b -> cpu(b, "load generator"),
                                    3,
                                    false,
                                    true),
                            row("open → answer p50, ms", b -> b.latency().p50Us() / 1000.0, 2, false, false),
                            row("open → answer p99, ms", b -> b.latency().p99Us() / 1000.0, 2, false, false),
                            row("failed", b -> b.failed(), 0, false, false))));
            md.append(difference(hs, TlsScenario.TLS, TlsScenario.PLAIN, "edge", "the TLS edge", "a connection"));
        }
        List<TlsScenario.Batch> ss = of(batches, "session");
        if (!ss.isEmpty()) {
            md.append("### Sessions: handshake, WebSocket upgrade, `hello`; then held idle\n\n")
                    .append(setup.get("sessions"))
                    .append(" WebSocket sessions per phase (each a session queue and channel on the broker), then "
                            + "held idle: the edge's heap after a full GC and RSS, against the same edge before "
                            + "the ramp, per session.\n\n");
            md.append(compare(
                    ss,
                    List.of(TlsScenario.PLAIN, TlsScenario.TLS),
                    List.of(
                            row("sessions opened per second", b -> b.perSecond(), 0, true, false),
                            row("edge CPU ms per session opened", b -> cpu(b, "edge"), 3, false, true),
                            row("broker CPU ms per session opened", b -> cpu(b, "broker"), 3, false, true),
                            row("open → `hello` p50, ms", b -> b.latency().p50Us() / 1000.0, 2, false, false),
                            row("open → `hello` p99, ms", b -> b.latency().p99Us() / 1000.0, 2, false, false),
                            bytesRow("edge heap after a full GC, per idle session", "heap"),
                            bytesRow("edge RSS, per idle session", "rss"),
                            bytesRow("kernel TCP memory, per idle session (both ends)", "tcp_mem"),
                            row("failed", b -> b.failed(), 0, false, false))));
            md.append(difference(ss, TlsScenario.TLS, TlsScenario.PLAIN, "edge", "the TLS edge", "a session"));
            md.append("TLS's memory per idle session (TLS edge − plain edge): heap ")
                    .append(Fmt.bytesDelta(weighted(target(ss, TlsScenario.TLS), b -> mem(b, "heap"))
                            - weighted(target(ss, TlsScenario.PLAIN), b -> mem(b, "heap"))))
                    .append(", RSS ")
                    .append(Fmt.bytesDelta(weighted(target(ss, TlsScenario.TLS), b -> mem(b, "rss"))
                            - weighted(target(ss, TlsScenario.PLAIN), b -> mem(b, "rss"))))
                    .append(".\n\n");
        }
        if (!sse.isEmpty()) {
            md.append(sseSection(setup, sse));
        }
        List<TlsScenario.Batch> pv = of(batches, "provider");
        if (!pv.isEmpty()) {
            List<String> targets = new ArrayList<>();
            pv.forEach(b -> {
                if (!targets.contains(b.target())) {
                    targets.add(b.target());
                }
            });
            md.append("### TLS providers: a minimal HTTPS server of the harness's own\n\n")
                    .append("The same handshake loop against a child JVM of the harness that answers every request "
                            + "`200 ok` (Netty, 4 event loops, the edge's TLS settings and certificate), once per "
                            + "provider; the client is the same. Ratios against the first column.")
                    .append(negotiated(pv))
                    .append("\n\n");
            md.append(compare(
                    pv,
                    targets,
                    List.of(
                            row("connections per second", b -> b.perSecond(), 0, true, false),
                            row("server CPU ms per connection", b -> cpu(b, "server"), 3, false, true),
                            row(
                                    "harness (client) CPU ms per connection",
                                    b -> cpu(b, "load generator"),
                                    3,
                                    false,
                                    true),
                            row("open → answer p50, ms", b -> b.latency().p50Us() / 1000.0, 2, false, false),
                            row("open → answer p99, ms", b -> b.latency().p99Us() / 1000.0, 2, false, false),
                            row("failed", b -> b.failed(), 0, false, false))));
            String none = targets.stream()
                    .filter(t -> t.contains("no TLS"))
                    .findFirst()
                    .orElse(null);
            String jdk =
                    targets.stream().filter(t -> t.contains("JDK")).findFirst().orElse(null);
            String ossl = targets.stream()
                    .filter(t -> t.contains("tcnative"))
                    .findFirst()
                    .orElse(null);
            if (none != null && jdk != null && ossl != null) {
                double j = weighted(target(pv, jdk), b -> cpu(b, "server"))
                        - weighted(target(pv, none), b -> cpu(b, "server"));
                double o = weighted(target(pv, ossl), b -> cpu(b, "server"))
                        - weighted(target(pv, none), b -> cpu(b, "server"));
                md.append("The handshake's own server CPU (provider − no TLS): JDK ")
                        .append(Fmt.num(j, 3))
                        .append(" ms, BoringSSL ")
                        .append(Fmt.num(o, 3))
                        .append(" ms per connection: JDK / BoringSSL ")
                        .append(Fmt.ratio(j, o))
                        .append("; connections per second JDK / BoringSSL ")
                        .append(Fmt.ratio(
                                mean(target(pv, jdk), b -> b.perSecond()), mean(target(pv, ossl), b -> b.perSecond())))
                        .append(".\n\n");
            }
        }
        List<TlsScenario.Batch> pi = of(batches, "provider-idle");
        if (!pi.isEmpty()) {
            md.append(idleSection(setup, pi));
        }
        md.append("### Every phase\n\n| kind | target | round | opened / requested | per s | CPU ms per connection "
                + "| p50 / p99 ms | memory per session (heap, RSS) |\n|---|---|---|---|---|---|---|---|\n");
        List<TlsScenario.Batch> all = new ArrayList<>(batches);
        sse.forEach(p -> all.add(p.connect()));
        for (TlsScenario.Batch b : all) {
            StringBuilder cpu = new StringBuilder();
            b.cpuMsPerConnection().forEach((k, v) -> cpu.append(cpu.length() == 0 ? "" : ", ")
                    .append(k)
                    .append(" ")
                    .append(Fmt.num(v, 3)));
            md.append("| ")
                    .append(b.kind())
                    .append(" | ")
                    .append(b.target())
                    .append(" | ")
                    .append(b.round())
                    .append(" | ")
                    .append(b.opened())
                    .append(" / ")
                    .append(b.requested())
                    .append(b.failures().isEmpty() ? "" : " " + b.failures())
                    .append(" | ")
                    .append(Fmt.num(b.perSecond(), 0))
                    .append(" | ")
                    .append(cpu)
                    .append(" | ")
                    .append(LatencySummary.ms(b.latency().p50Us()))
                    .append(" / ")
                    .append(LatencySummary.ms(b.latency().p99Us()))
                    .append(" | ")
                    .append(
                            b.memPerSession().isEmpty()
                                    ? ""
                                    : Fmt.bytesDelta(b.memPerSession().get("heap")) + ", "
                                            + Fmt.bytesDelta(b.memPerSession().get("rss")))
                    .append(" |\n");
        }
        md.append('\n');
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("setup", setup);
        data.put("batches", batches);
        data.put("sse", sse);
        return new Section(
                "Scenario `tls`: TLS against plaintext, HTTP/2 against HTTP/1.1 (issue 14)",
                md.toString(),
                data,
                Map.of());
    }

    /** Memory per idle connection per provider, with the JDK / BoringSSL ratio. */
    private static String idleSection(Map<String, Object> setup, List<TlsScenario.Batch> pi) {
        List<String> targets = new ArrayList<>();
        pi.forEach(b -> {
            if (!targets.contains(b.target())) {
                targets.add(b.target());
            }
        });
        String jdk = targets.stream().filter(t -> t.contains("JDK")).findFirst().orElse(null);
        String ossl =
                targets.stream().filter(t -> t.contains("tcnative")).findFirst().orElse(null);
        String none =
                targets.stream().filter(t -> t.contains("no TLS")).findFirst().orElse(null);
        StringBuilder md = new StringBuilder("### TLS providers: memory per idle connection\n\n");
        md.append("After each provider's handshake phase, ")
                .append(setup.get("provider_idle"))
                .append(" connections to the same server that each handshake, send one keep-alive `GET` "
                        + "and stay open, idle. The server's heap after a full GC (`jcmd GC.run`, "
                        + "`GC.heap_info`) and RSS (`VmRSS`) before they open and while they are open, per "
                        + "connection. The server's heap is fixed (`-Xms512m -Xmx512m -XX:+AlwaysPreTouch`), "
                        + "so its RSS grows only outside the Java heap: native memory (BoringSSL's `SSL` "
                        + "objects and buffers live there, where a heap reading cannot see them) and direct "
                        + "buffers. Heap + RSS is the whole cost of a connection.\n\n");
        md.append("| per idle connection | ").append(String.join(" | ", targets));
        boolean ratio = jdk != null && ossl != null;
        md.append(ratio ? " | JDK / BoringSSL |\n" : " |\n");
        md.append("|---")
                .append("|---".repeat(targets.size() + (ratio ? 1 : 0)))
                .append("|\n");
        String[][] rows = {
            {"server heap after a full GC", "heap"}, {"server RSS (outside the heap)", "rss"}, {"heap + RSS", "both"}
        };
        for (String[] r : rows) {
            ToDoubleFunction<TlsScenario.Batch> f =
                    r[1].equals("both") ? b -> mem(b, "heap") + mem(b, "rss") : b -> mem(b, r[1]);
            md.append("| ").append(r[0]);
            if (!r[1].equals("both")) {
                md.append(" (rounds)");
            }
            for (String t : targets) {
                md.append(" | ").append(Fmt.bytesDelta(weighted(target(pi, t), f)));
                if (!r[1].equals("both")) {
                    List<String> each = new ArrayList<>();
                    target(pi, t).forEach(b -> each.add(Fmt.bytesDelta(f.applyAsDouble(b))));
                    md.append(" (").append(String.join(", ", each)).append(")");
                }
            }
            if (ratio) {
                md.append(" | ").append(Fmt.ratio(weighted(target(pi, jdk), f), weighted(target(pi, ossl), f)));
            }
            md.append(" |\n");
        }
        if (none != null && ratio) {
            ToDoubleFunction<TlsScenario.Batch> both = b -> mem(b, "heap") + mem(b, "rss");
            double base = weighted(target(pi, none), both);
            double j = weighted(target(pi, jdk), both) - base;
            double o = weighted(target(pi, ossl), both) - base;
            md.append("| TLS's share of heap + RSS (− no TLS) | | ")
                    .append(Fmt.bytesDelta(j))
                    .append(" | ")
                    .append(Fmt.bytesDelta(o))
                    .append(" | ")
                    .append(Fmt.ratio(j, o))
                    .append(" |\n");
        }
        md.append("| connections held / requested | ");
        for (String t : targets) {
            md.append(target(pi, t).stream()
                            .mapToLong(TlsScenario.Batch::opened)
                            .sum())
                    .append(" / ")
                    .append(target(pi, t).stream()
                            .mapToLong(TlsScenario.Batch::requested)
                            .sum())
                    .append(" | ");
        }
        md.append(ratio ? " |\n\n" : "\n\n");
        md.append("The JVM keeps the native memory it was given: a later round reuses what an earlier one "
                + "freed, so its RSS grows less; round 1 is each server's first time holding that many "
                + "connections.\n\n");
        return md.toString();
    }

    private static String sseSection(Map<String, Object> setup, List<TlsScenario.SsePass> sse) {
        StringBuilder md = new StringBuilder();
        Object perH2 = setup.get("h2_sessions_per_connection");
        Object h2max = sse.stream()
                .filter(p -> p.mode().equals("HTTP/2"))
                .map(p -> p.clientStats().get("h2_server_max_concurrent_streams"))
                .findFirst()
                .orElse("?");
        Object h2conns = sse.stream()
                .filter(p -> p.mode().equals("HTTP/2"))
                .map(p -> p.clientStats().get("h2_connections_opened"))
                .findFirst()
                .orElse("?");
        md.append("### SSE over HTTP/2 against HTTP/1.1, on the TLS edge\n\n")
                .append(setup.get("sse_sessions"))
                .append(" SSE sessions per phase. HTTP/1.1: each session a TLS connection for its stream and, "
                        + "from its first ack on, another, keep-alive, for its ack POSTs (the edge closes it after "
                        + "`http.request.timeout`, 10 s, without a request; the next ack opens a new one). Memory is "
                        + "read before any ack. HTTP/2: ALPN `h2`; ")
                .append(perH2)
                .append(" sessions share a connection (")
                .append(h2conns)
                .append(" connections), each session's GET a stream and each ack POST a short stream of its "
                        + "own, one in flight per session, so at most twice as many streams as sessions, "
                        + "within the edge's `SETTINGS_MAX_CONCURRENT_STREAMS` (")
                .append(h2max)
                .append("). A browser does the same with its tabs up to that limit. Then ")
                .append(setup.get("sse_rate"))
                .append(" msg/s to random users (seeded plan, same for both) for each round, after an "
                        + "unrecorded message to every user (so every session has acked once, and over HTTP/1.1 "
                        + "opened its ack connection); latency is publish → client decode.\n\n");
        md.append("| per session | HTTP/1.1 | HTTP/2 | h2 / h1.1 |\n|---|---|---|---|\n");
        List<TlsScenario.Batch> c1 = new ArrayList<>();
        List<TlsScenario.Batch> c2 = new ArrayList<>();
        List<Phase> p1 = new ArrayList<>();
        List<Phase> p2 = new ArrayList<>();
        for (TlsScenario.SsePass p : sse) {
            (p.mode().equals("HTTP/2") ? c2 : c1).add(p.connect());
            (p.mode().equals("HTTP/2") ? p2 : p1).add(p.phase());
        }
        md.append(line("sessions opened per second", mean(c1, b -> b.perSecond()), mean(c2, b -> b.perSecond()), 0));
        md.append(line(
                "edge CPU ms per session opened",
                weighted(c1, b -> cpu(b, "edge")),
                weighted(c2, b -> cpu(b, "edge")),
                3));
        for (String[] k : new String[][] {
            {"edge heap after a full GC", "heap"}, {"edge RSS", "rss"}, {"kernel TCP memory (both ends)", "tcp_mem"}
        }) {
            md.append("| ")
                    .append(k[0])
                    .append(" | ")
                    .append(Fmt.bytesDelta(weighted(c1, b -> mem(b, k[1]))))
                    .append(" | ")
                    .append(Fmt.bytesDelta(weighted(c2, b -> mem(b, k[1]))))
                    .append(" | ")
                    .append(Fmt.ratio(weighted(c2, b -> mem(b, k[1])), weighted(c1, b -> mem(b, k[1]))))
                    .append(" |\n");
        }
        LatencySummary l1 = merged(p1);
        LatencySummary l2 = merged(p2);
        md.append(line("latency p50, ms", l1.p50Us() / 1000.0, l2.p50Us() / 1000.0, 2));
        md.append(line("latency p99, ms", l1.p99Us() / 1000.0, l2.p99Us() / 1000.0, 2));
        md.append(line(
                "edge CPU s per 1,000 messages",
                mean(p1, ph -> ph.cpuPer1k().getOrDefault("edge", Double.NaN)),
                mean(p2, ph -> ph.cpuPer1k().getOrDefault("edge", Double.NaN)),
                3));
        md.append("| ack connections (HTTP/2: streams) opened during the measured phases | ")
                .append(sse.stream()
                        .filter(p -> !p.mode().equals("HTTP/2"))
                        .mapToLong(TlsScenario.SsePass::ackConnectionsDuringPhase)
                        .sum())
                .append(" | ")
                .append(sse.stream()
                        .filter(p -> p.mode().equals("HTTP/2"))
                        .mapToLong(TlsScenario.SsePass::ackConnectionsDuringPhase)
                        .sum())
                .append(" | |\n");
        md.append("| delivered / lost / duplicates | ")
                .append(counts(p1))
                .append(" | ")
                .append(counts(p2))
                .append(" | |\n");
        md.append("| saturated phases | ")
                .append(saturated(p1))
                .append(" | ")
                .append(saturated(p2))
                .append(" | |\n\n");
        return md.toString();
    }

    private static String counts(List<Phase> ps) {
        long d = 0;
        long l = 0;
        long u = 0;
        for (Phase p : ps) {
            d += p.delivered().unique();
            l += p.lost();
            u += p.delivered().duplicates();
        }
        return d + " / " + l + " / " + u;
    }

    private static String saturated(List<Phase> ps) {
        List<String> s = new ArrayList<>();
        ps.forEach(p -> {
            if (p.saturated()) {
                s.add("round " + p.round() + ": " + String.join(", ", p.saturation()));
            }
        });
        return s.isEmpty() ? "none" : String.join("; ", s);
    }

    private static LatencySummary merged(List<Phase> ps) {
        Histogram h = new Histogram(1, io.lasthop.bench.Ledger.MAX_LATENCY_US, 3);
        ps.forEach(p -> h.add(LatencySummary.decode(p.histogram())));
        return LatencySummary.of(h);
    }

    private static String line(String name, double a, double b, int decimals) {
        return "| " + name + " | " + Fmt.num(a, decimals) + " | " + Fmt.num(b, decimals) + " | " + Fmt.ratio(b, a)
                + " |\n";
    }

    private static String negotiated(List<TlsScenario.Batch> bs) {
        return bs.stream()
                .map(TlsScenario.Batch::negotiated)
                .filter(n -> n != null && !n.isEmpty() && !n.equals("plain"))
                .findFirst()
                .map(n -> " Negotiated: " + n + ".")
                .orElse("");
    }

    private static List<TlsScenario.Batch> of(List<TlsScenario.Batch> all, String kind) {
        return all.stream().filter(b -> b.kind().equals(kind) && b.round() > 0).toList();
    }

    private static List<TlsScenario.Batch> target(List<TlsScenario.Batch> bs, String target) {
        return bs.stream().filter(b -> b.target().equals(target)).toList();
    }

    /** "TLS adds X ms of edge CPU per connection (a − b)". */
    private static String difference(
            List<TlsScenario.Batch> bs, String a, String b, String process, String who, String what) {
        double d = weighted(target(bs, a), x -> cpu(x, process)) - weighted(target(bs, b), x -> cpu(x, process));
        return "TLS's CPU per " + what.substring(2) + " on " + who + " (TLS edge − plain edge): " + Fmt.num(d, 3)
                + " ms of " + process + " CPU.\n\n";
    }

    static double cpu(TlsScenario.Batch b, String process) {
        return b.cpuMsPerConnection().getOrDefault(process, Double.NaN);
    }

    static double mem(TlsScenario.Batch b, String figure) {
        Double v = b.memPerSession().get(figure);
        return v == null ? Double.NaN : v;
    }

    /** A row of a comparison: its name, the figure of a batch, how to merge the rounds and format it. */
    private record Row(
            String name,
            ToDoubleFunction<TlsScenario.Batch> f,
            int decimals,
            boolean rate,
            boolean perConn,
            boolean bytes) {}

    private static Row row(
            String name, ToDoubleFunction<TlsScenario.Batch> f, int decimals, boolean rate, boolean perConn) {
        return new Row(name, f, decimals, rate, perConn, false);
    }

    private static Row bytesRow(String name, String figure) {
        return new Row(name, b -> mem(b, figure), 0, false, true, true);
    }

    /** Columns per target, each row merged over the rounds, the ratio of each column to the first. */
    private static String compare(List<TlsScenario.Batch> bs, List<String> targets, List<Row> rows) {
        StringBuilder md = new StringBuilder("| | ");
        md.append(String.join(" | ", targets));
        for (int i = 1; i < targets.size(); i++) {
            md.append(" | ").append(targets.get(i)).append(" / ").append(targets.get(0));
        }
        md.append(" |\n|---");
        md.append("|---".repeat(targets.size() * 2 - 1)).append("|\n");
        for (Row r : rows) {
            double[] v = new double[targets.size()];
            StringBuilder perRound = new StringBuilder();
            for (int t = 0; t < targets.size(); t++) {
                String target = targets.get(t);
                List<TlsScenario.Batch> mine =
                        bs.stream().filter(b -> b.target().equals(target)).toList();
                v[t] = r.perConn()
                        ? weighted(mine, r.f())
                        : r.name().equals("failed") ? sum(mine, r.f()) : mean(mine, r.f());
                if (r.rate() && mine.size() > 1) {
                    List<String> each = new ArrayList<>();
                    mine.forEach(b -> each.add(Fmt.num(r.f().applyAsDouble(b), r.decimals())));
                    perRound.append(t == 0 ? "" : "; ").append(String.join(", ", each));
                }
            }
            md.append("| ").append(r.name());
            if (perRound.length() > 0) {
                md.append(" (rounds: ").append(perRound).append(")");
            }
            for (double x : v) {
                md.append(" | ").append(r.bytes() ? Fmt.bytesDelta(x) : Fmt.num(x, r.decimals()));
            }
            for (int t = 1; t < targets.size(); t++) {
                md.append(" | ").append(r.name().equals("failed") ? "" : Fmt.ratio(v[t], v[0]));
            }
            md.append(" |\n");
        }
        return md.append('\n').toString();
    }

    private static <T> double mean(List<T> xs, ToDoubleFunction<T> f) {
        double s = 0;
        int n = 0;
        for (T x : xs) {
            double v = f.applyAsDouble(x);
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    private static double sum(List<TlsScenario.Batch> xs, ToDoubleFunction<TlsScenario.Batch> f) {
        double s = 0;
        for (TlsScenario.Batch x : xs) {
            s += f.applyAsDouble(x);
        }
        return s;
    }

    /** A per-connection figure over the rounds, weighted by connections opened: total over total. */
    private static double weighted(List<TlsScenario.Batch> xs, ToDoubleFunction<TlsScenario.Batch> f) {
        double s = 0;
        long n = 0;
        for (TlsScenario.Batch x : xs) {
            double v = f.applyAsDouble(x);
            if (!Double.isNaN(v) && x.opened() > 0) {
                s += v * x.opened();
                n += x.opened();
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
