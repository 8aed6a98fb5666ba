package io.lasthop.bench.scenario;

import static io.lasthop.bench.scenario.FanoutScenario.PEERS;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code fanout} scenario's section of the report: per publish rate and peer, deliveries
 * expected and made, loss and duplicates per delivery, deliveries/s reached and latency with the
 * ratios A/B; every phase in the order run; CPU per 1,000 deliveries by process; and the
 * latency-vs-deliveries plot.
 */
final class FanoutReport {
    private FanoutReport() {}

    static Section render(
            String runId,
            Fanout fanout,
            Transport t,
            int[] sizes,
            long seed,
            int stepSeconds,
            Map<String, Object> setup,
            List<Phase> phases) {
        List<Phase> real = phases.stream().filter(p -> !p.warmup()).toList();
        double meanFanout = fanout.subscribers() / (double) fanout.topics();
        String fan = Fmt.num(meanFanout, fanout.subscribers() % fanout.topics() == 0 ? 0 : 1);
        TreeSet<Integer> rates = new TreeSet<>();
        real.forEach(p -> rates.add(p.targetRate()));
        String perTopic = fanout.subscribers() % fanout.topics() == 0
                ? fan
                : fanout.subscribers() / fanout.topics() + " or " + fanout.width();
        LatencySummary sub = (LatencySummary) setup.get("edge_subscribe_latency");
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                "%,d sessions: A = Lasthop over %s, each subscribed by a `sub` request (its token's "
                        + "`lasthop` claim grants `%s`) to one of %d topics of `lasthop.topic`; B = %,d raw-AMQP queues "
                        + "(declared like session queues), each bound to one of %d topics of its own. A topic has %s "
                        + "subscribers (fan-out %s): a publish makes that many deliveries. A's and B's topics differ by name only "
                        + "(`bench.<run>.a.t<k>`, `bench.<run>.b.t<k>`): a phase reaches one peer, while both stay "
                        + "connected. Each phase publishes rate × %d s messages of %s bytes (seeded schedule, seed %d, "
                        + "each to a random topic; the same plan for both peers), persistent, with confirms; phases run "
                        + "A/B/A/B after one warm-up phase per peer. Loss and duplicates are per delivery: each confirmed "
                        + "message must reach every subscriber of its topic exactly once. Latency is publish → client "
                        + "decode over every delivery, the rounds' histograms merged.%n%n",
                fanout.subscribers(),
                t.wireName,
                FanoutScenario.grant(runId, "lasthop"),
                fanout.topics(),
                fanout.subscribers(),
                fanout.topics(),
                perTopic,
                fan,
                stepSeconds,
                java.util.Arrays.toString(sizes),
                seed));
        md.append(String.format(
                "Setup: A %s sessions opened (%s/s), %s subscribed (`ok`; `sub` → `ok` p50 / p99 %s / %s "
                        + "ms, %s/s)%s; B %s queues declared, bound and consumed (%s/s)%s.%n%n",
                setup.get("edge_sessions_opened"),
                setup.get("edge_connect_per_s"),
                setup.get("edge_subscribed"),
                LatencySummary.ms(sub.p50Us()),
                LatencySummary.ms(sub.p99Us()),
                setup.get("edge_subscribe_per_s"),
                failures(setup, "edge_connect_failures", "edge_subscribe_failures"),
                setup.get("raw_consumers_opened"),
                setup.get("raw_connect_per_s"),
                failures(setup, "raw_connect_failures")));
        md.append("| publishes/s | deliveries/s (rate × fan-out) | peer | published (confirmed) | deliveries expected "
                + "| delivered | lost | dup | deliveries/s reached | p50 / p90 / p99 / p99.9 / max, ms | p50 A/B | p99 A/B "
                + "| p99.9 A/B | saturated |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Map<Integer, LatencySummary>> merged = PhaseFigures.mergedLatency(real, PEERS, rates);
        for (int rate : rates) {
            LatencySummary la = merged.get("lasthop").get(rate);
            LatencySummary lb = merged.get("raw-amqp").get(rate);
            for (String peer : PEERS) {
                List<Phase> ps = PhaseFigures.of(real, rate, peer);
                long confirmed =
                        ps.stream().mapToLong(p -> p.published().confirmed()).sum();
                long expected =
                        ps.stream().mapToLong(p -> p.delivered().expected()).sum();
                long delivered =
                        ps.stream().mapToLong(p -> p.delivered().unique()).sum();
                long lost = ps.stream().mapToLong(Phase::lost).sum();
                long dup =
                        ps.stream().mapToLong(p -> p.delivered().duplicates()).sum();
                double seconds = ps.stream().mapToDouble(Phase::deliverySeconds).sum();
                List<String> sat = ps.stream()
                        .flatMap(p -> p.saturation().stream())
                        .distinct()
                        .toList();
                boolean a = peer.equals("lasthop");
                md.append(String.format(
                        "| %,d | %s | %s | %,d | %,d | %,d | %,d | %,d | %s | %s | %s | %s | %s | %s |%n",
                        rate,
                        Fmt.num(rate * meanFanout, 0),
                        PhaseFigures.LABEL.get(peer),
                        confirmed,
                        expected,
                        delivered,
                        lost,
                        dup,
                        Fmt.num(seconds > 0 ? delivered / seconds : Double.NaN, 0),
                        merged.get(peer).get(rate).format(),
                        a ? Fmt.ratio(la.p50Us(), lb.p50Us()) : "",
                        a ? Fmt.ratio(la.p99Us(), lb.p99Us()) : "",
                        a ? Fmt.ratio(la.p999Us(), lb.p999Us()) : "",
                        sat.isEmpty() ? "no" : String.join("; ", sat)));
            }
        }
        md.append(String.format(
                "%nDeliveries outside the plans (a message of another topic, or an id outside its "
                        + "phase; counted, never recorded): A %,d, B %,d. \"Deliveries/s reached\" is deliveries made / "
                        + "time from a phase's first publish to its last delivery (or the drain deadline), summed over "
                        + "the rounds. Each phase, in the order run (the spread between rounds is the noise floor of "
                        + "this machine):%n%n",
                foreign(phases, "lasthop"), foreign(phases, "raw-amqp")));
        md.append("| phase | publishes/s | round | peer | p50 / p90 / p99 / p99.9 / max, ms | publisher reached /s "
                + "| publisher max lateness, ms | drain, ms | deliveries/s reached | lost | dup |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            md.append(String.format(
                    "| %d | %,d | %s | %s | %s | %,.0f | %s | %,d | %s | %,d | %,d |%n",
                    p.index(),
                    p.targetRate(),
                    p.warmup() ? "warm-up" : Integer.toString(p.round()),
                    p.peer(),
                    p.latency().format(),
                    p.published().ratePerSecond(),
                    Fmt.num(p.published().maxLagNanos() / 1e6, 1),
                    p.drainMs(),
                    Fmt.num(p.deliverySeconds() > 0 ? p.delivered().unique() / p.deliverySeconds() : Double.NaN, 0),
                    p.lost(),
                    p.delivered().duplicates()));
        }
        md.append("\nCPU seconds per 1,000 deliveries, by process (mean of rounds), with the cores it kept busy during "
                + "the phase. A and B share a broker with other work on this machine, so their broker figure is an "
                + "upper bound. The harness runs the publisher and the clients (A) or consumers (B).\n\n"
                + "| publishes/s | process | Lasthop (A) | raw AMQP (B) | A / B |\n|---|---|---|---|---|\n");
        for (int rate : rates) {
            PhaseFigures.cpuRows(md, false, rate, real, PEERS, "**serving** (A: edge + broker; B: broker)");
        }
        md.append(String.format(
                "%nClient bytes read per delivery over %s (frames, headers and pings included): %s, for "
                        + "a mean body of %s bytes. AMQP connections/channels: edge %s; raw peer %s.%n",
                t.wireName,
                Fmt.num(PhaseFigures.clientBytesRead(real), 0),
                Fmt.num(PhaseFigures.meanPayload(real), 0),
                PhaseFigures.amqpUse(setup.get("edge_amqp")),
                PhaseFigures.amqpUse(setup.get("raw_amqp"))));
        md.append("\n![latency vs deliveries per second](%STEM%-fanout-latency.svg)\n");

        LineChart c = new LineChart(
                "Fan-out latency vs deliveries per second (" + t.wireName + ", raw AMQP; fan-out " + fan + ")",
                "deliveries per second",
                "ms",
                true);
        PhaseFigures.latencyLines(
                c, rates.stream().mapToDouble(r -> r * meanFanout).toArray(), PEERS, merged);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", fanout.subscribers());
        data.put("topics", fanout.topics());
        data.put("mean_fanout", meanFanout);
        data.put("transport", t.wireName);
        data.put("peers", PEERS);
        data.put(
                "topic_patterns",
                Map.of(
                        "lasthop",
                        FanoutScenario.grant(runId, "lasthop"),
                        "raw-amqp",
                        FanoutScenario.grant(runId, "raw-amqp")));
        data.put("sizes", sizes);
        data.put("seed", seed);
        data.put("step_seconds", stepSeconds);
        data.put("setup", setup);
        data.put("phases", phases);
        return new Section(
                "Topic fan-out (scenario `fanout`)", md.toString(), data, Map.of("fanout-latency.svg", c.render()));
    }

    private static long foreign(List<Phase> phases, String peer) {
        return phases.stream()
                .filter(p -> p.peer().equals(peer))
                .mapToLong(p -> p.delivered().foreign())
                .sum();
    }

    /** "; failures: …" listing the non-empty failure maps of the setup, or nothing. */
    @SuppressWarnings("unchecked")
    private static String failures(Map<String, Object> setup, String... keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            Map<String, Long> m = (Map<String, Long>) setup.get(k);
            m.forEach((why, count) -> out.add(count + " × " + why));
        }
        return out.isEmpty() ? "" : "; failures: " + String.join(", ", out);
    }
}
