package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.report.Fmt;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code rate} report's verdicts against issue 13's targets, each a ratio or a difference
 * against the raw-AMQP peer of the same run (the acked floor: manual acks, prefetch 64, a channel
 * per consumer), met or not met.
 */
final class AckedFloor {
    private AckedFloor() {}

    /** p99 bound over the floor at a rate, in µs; -1 where issue 13 sets none. */
    static long p99BoundUs(int rate) {
        return rate == 1_000 ? 2_000 : rate == 3_000 ? 5_000 : -1;
    }

    static final long P50_BOUND_US = 300;

    static String render(
            Set<Integer> rates,
            Map<String, Map<Integer, LatencySummary>> merged,
            List<Phase> real,
            Map<String, Object> setup,
            boolean withC) {
        StringBuilder md = new StringBuilder();
        md.append("\n**Against the acked floor (issue 13).** B is raw AMQP with manual acks, prefetch 64 and a "
                + "channel per consumer (the edge's layout), acking cumulatively (`multiple`) like the harness's "
                + "clients: the highest tag once 32 are unacked (on the consumer's dispatch thread) or 10 ms "
                + "after the first (on a timer thread).\n\n"
                + "| target | Lasthop (A) | acked floor (B) | A − B or A / B | bound | |\n|---|---|---|---|---|---|\n");
        for (int rate : rates) {
            LatencySummary a = merged.get("lasthop").get(rate);
            LatencySummary b = merged.get("raw-amqp").get(rate);
            if (a.count() == 0 || b.count() == 0) {
                continue;
            }
            long d50 = a.p50Us() - b.p50Us();
            md.append(String.format(
                    Locale.ROOT,
                    "| p50 at %,d msg/s | %s ms | %s ms | %s ms (%s) | floor + 0.3 ms | %s |%n",
                    rate,
                    LatencySummary.ms(a.p50Us()),
                    LatencySummary.ms(b.p50Us()),
                    signedMs(d50),
                    Fmt.ratio(a.p50Us(), b.p50Us()),
                    d50 <= P50_BOUND_US ? "met" : "**not met**"));
            long bound = p99BoundUs(rate);
            long d99 = a.p99Us() - b.p99Us();
            md.append(String.format(
                    Locale.ROOT,
                    "| p99 at %,d msg/s | %s ms | %s ms | %s ms (%s) | %s | %s |%n",
                    rate,
                    LatencySummary.ms(a.p99Us()),
                    LatencySummary.ms(b.p99Us()),
                    signedMs(d99),
                    Fmt.ratio(a.p99Us(), b.p99Us()),
                    bound < 0 ? "none at this rate" : "floor + " + bound / 1000 + " ms",
                    bound < 0 ? "" : d99 <= bound ? "met" : "**not met**"));
        }
        long lostA = sum(real, "lasthop", true);
        long dupA = sum(real, "lasthop", false);
        long lostB = sum(real, "raw-amqp", true);
        long dupB = sum(real, "raw-amqp", false);
        md.append(String.format(
                Locale.ROOT,
                "| lost / duplicates, every recorded phase | %,d / %,d | %,d / %,d | | 0 / 0 | %s |%n",
                lostA,
                dupA,
                lostB,
                dupB,
                lostA == 0 && dupA == 0 ? "met" : "**not met**"));
        Map<String, Double> ea = perSession(setup, "edge_per_session");
        Map<String, Double> rb = perSession(setup, "raw_per_session");
        if (ea != null && rb != null) {
            double edgeRss = ea.getOrDefault("rss", Double.NaN);
            double allA = edgeRss + ea.getOrDefault("broker_total", Double.NaN);
            double allB = rb.getOrDefault("broker_total", Double.NaN);
            double catA = edgeRss
                    + ea.getOrDefault("run_queue_mem", Double.NaN)
                    + ea.getOrDefault("broker_connection", Double.NaN);
            double catB =
                    rb.getOrDefault("run_queue_mem", Double.NaN) + rb.getOrDefault("broker_connection", Double.NaN);
            md.append(String.format(
                    Locale.ROOT,
                    "| all-in memory per session: edge RSS + broker (`memory_breakdown`, all) | %s + %s = %s | %s | "
                            + "%s | ×1.1 | %s |%n",
                    Fmt.bytesDelta(edgeRss),
                    Fmt.bytesDelta(ea.getOrDefault("broker_total", Double.NaN)),
                    Fmt.bytesDelta(allA),
                    Fmt.bytesDelta(allB),
                    Fmt.ratio(allA, allB),
                    verdict(allA, allB, 1.1, false)));
            md.append(String.format(
                    Locale.ROOT,
                    "| … by category: edge RSS + this run's queue processes + broker `connection_*` | %s | %s | %s | "
                            + "×1.1 | %s |%n",
                    Fmt.bytesDelta(catA),
                    Fmt.bytesDelta(catB),
                    Fmt.ratio(catA, catB),
                    verdict(catA, catB, 1.1, false)));
        }
        Object pd = setup.get("raw_pipelined_declares_per_s");
        Object ce = setup.get("edge_connect_per_s");
        if (pd instanceof Number declares && ce instanceof Number opened) {
            md.append(String.format(
                    Locale.ROOT,
                    "| sessions opened per second vs pipelined queue declares | %,d/s | %,d/s (declared and bound: "
                            + "%,d/s; then consumers registered: %,d/s) | %s | ≥ ×0.8 | %s |%n",
                    opened.longValue(),
                    declares.longValue(),
                    ((Number) setup.get("raw_pipelined_declared_and_bound_per_s")).longValue(),
                    ((Number) setup.get("raw_connect_per_s")).longValue(),
                    Fmt.ratio(opened.doubleValue(), declares.doubleValue()),
                    verdict(opened.doubleValue(), declares.doubleValue(), 0.8, true)));
        }
        if (setup.get("quiet") instanceof Map<?, ?> q) {
            md.append(String.format(
                    Locale.ROOT,
                    "| idle CPU per session over a quiet %s s: edge (A); broker per session it held (A and B together, unless peers apart) | "
                            + "%s µs/s | broker %s µs/s | | reported | |%n",
                    q.get("seconds"),
                    Fmt.num(((Number) q.get("edge_us_per_s_per_session")).doubleValue(), 2),
                    Fmt.num(((Number) q.get("broker_us_per_s_per_session")).doubleValue(), 2)));
        }
        if (setup.get("quiet_raw") instanceof Map<?, ?> q && setup.get("quiet") instanceof Map<?, ?> qa) {
            double a = ((Number) qa.get("broker_us_per_s_per_session")).doubleValue()
                    + ((Number) qa.get("edge_us_per_s_per_session")).doubleValue();
            double b = ((Number) q.get("broker_us_per_s_per_session")).doubleValue();
            md.append(String.format(
                    Locale.ROOT,
                    "| idle CPU per session, serving (A: edge + broker; B: broker), peers apart | %s µs/s | %s µs/s | %s "
                            + "| reported | |%n",
                    Fmt.num(a, 2),
                    Fmt.num(b, 2),
                    Fmt.ratio(a, b)));
        }
        if (Boolean.TRUE.equals(setup.get("peers_apart"))) {
            md.append("\nPeers apart (`--peers-apart`): A connected and ran all its phases, then closed and its "
                    + "queues were deleted, then B did the same; the broker never held both peers' queues, and the "
                    + "phases are not interleaved.\n");
        }
        md.append(String.format(
                "%nMemory per session is read before and after each ramp (A first, then B: on top of A's, or after A's "
                        + "queues were deleted with `--peers-apart`), %s; the broker's "
                        + "is only this run's on a private node (`BENCH_BROKER=private`). B's connect rate is split in "
                        + "two: its queues declared by pipelined no-wait declares on %s channels (then bound the same "
                        + "way), then a consumer registered on each (channel, `basic.qos`, `basic.consume`) from 16 "
                        + "threads.%n",
                "the edge's RSS as `VmRSS` and the broker's as `memory_breakdown`",
                setup.get("raw_pipelined") instanceof io.lasthop.bench.amqp.RawAmqpPeer.Pipelined p
                        ? Integer.toString(p.channels())
                        : "?"));
        return md.toString();
    }

    private static String signedMs(long us) {
        return (us < 0 ? "−" : "+") + LatencySummary.ms(Math.abs(us));
    }

    /** {@code a / b} within {@code bound}: at most (a cost) or at least (a rate). */
    private static String verdict(double a, double b, double bound, boolean atLeast) {
        if (Double.isNaN(a) || Double.isNaN(b) || b <= 0 || a < 0) {
            return "not measured";
        }
        double r = a / b;
        return (atLeast ? r >= bound : r <= bound) ? "met" : "**not met**";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Double> perSession(Map<String, Object> setup, String key) {
        return setup.get(key) instanceof Map<?, ?> m ? (Map<String, Double>) m : null;
    }

    private static long sum(List<Phase> real, String peer, boolean lost) {
        return real.stream()
                .filter(p -> p.peer().equals(peer))
                .mapToLong(p -> lost ? p.lost() : p.delivered().duplicates())
                .sum();
    }
}
