package io.lasthop.bench.scenario;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.Probes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import io.lasthop.bench.scenario.RateScenario.Phase;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * Topic fan-out: one publish reaches many sessions. A = N edge sessions, each subscribed by a
 * {@code sub} request (its token's {@code lasthop} claim grants the run's topics) to one of T
 * topics of {@code lasthop.topic}; B = N raw-AMQP queues, each bound to one of T topics of its
 * own, so each publish reaches about N/T subscribers of one peer. Both stay connected throughout;
 * for every rate step and round the publisher sends the same seeded plan (each message to a random
 * topic) first to A's topics, then to B's: A/B/A/B, after one warm-up phase per peer. Loss,
 * duplicates, latency and CPU are counted per delivery (see {@link Fanout}).
 */
public final class FanoutScenario {
    private static final List<String> PEERS = List.of("lasthop", "raw-amqp");
    /** The peers' topic namespaces: {@code bench.<run>.a.*} for A, {@code bench.<run>.b.*} for B. */
    private static final Map<String, String> SPACE = Map.of("lasthop", "a", "raw-amqp", "b");

    private FanoutScenario() {}

    public static Section run(RunContext ctx) throws Exception {
        int n = ctx.opts.integer("sessions", 1_000);
        int topics = ctx.opts.integer("topics", 10);
        int[] rates = ctx.opts.ints("rates", "20,50,100");
        int stepSeconds = ctx.opts.integer("step-seconds", 8);
        int rounds = ctx.opts.integer("rounds", 2);
        int[] sizes = ctx.opts.ints("sizes", "64,256,1024");
        long seed = ctx.opts.longValue("seed", 42);
        int warmupSeconds = ctx.opts.integer("warmup-seconds", 3);
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        boolean brokerPerPhase = !ctx.opts.flag("no-broker-memory");
        Transport transport = Transport.parse(ctx.opts.str("transport", "ws"));
        Fanout fanout = new Fanout(n, topics);
        Schedule schedule = new Schedule(seed, topics, sizes);
        if (ctx.stomp != null) {
            ctx.notes.put("fanout_peers", "fan-out compares Lasthop with raw AMQP only; the Web-STOMP peer takes no part");
        }

        List<Phase> phases = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        Map<String, RateScenario.Target> targets = new LinkedHashMap<>();
        for (String peer : PEERS) {
            targets.put(peer, toTopics(fanout, fanout.topicNames(ctx.runId, SPACE.get(peer))));
        }
        try (Fleet fleet = ctx.fleet(n, transport, List.of(Fanout.grant(ctx.runId, SPACE.get("lasthop"))));
             RawAmqpPeer raw = new RawAmqpPeer(ctx.amqp(), Math.max(4, (n + 1_799) / 1_800), ctx.ledgers,
                     ctx.rawQueuePrefix() + "fanout.").ackDelayMs(ctx.ackDelayMs());
             Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf("fanout: connecting and subscribing %d %s sessions and %d raw consumers to %d topics each%n",
                    n, transport.wireName, n, topics);
            Duration timeout = Duration.ofSeconds(300);
            ConnectReport ce = fleet.connect(ctx.users("fe", n), transport, concurrency, timeout);
            ConnectReport cs = fleet.subscribe(fanout.subscribers(ctx.users("fe", n), ctx.runId, SPACE.get("lasthop")),
                    concurrency, timeout);
            ConnectReport cr = raw.connectSubscribers(fanout.subscribers(ctx.users("fr", n), ctx.runId,
                    SPACE.get("raw-amqp")), 16, timeout);
            setup.put("edge_sessions_opened", ce.opened());
            setup.put("edge_connect_failures", ce.failures());
            setup.put("edge_connect_per_s", Math.round(ce.perSecond()));
            setup.put("edge_subscribed", cs.opened());
            setup.put("edge_subscribe_failures", cs.failures());
            setup.put("edge_subscribe_per_s", Math.round(cs.perSecond()));
            setup.put("edge_subscribe_latency", LatencySummary.of(cs.latencyUs()));
            setup.put("raw_consumers_opened", cr.opened());
            setup.put("raw_connect_failures", cr.failures());
            setup.put("raw_connect_per_s", Math.round(cr.perSecond()));
            setup.put("client_processes", fleet.pids().size());
            setup.put("edge_amqp", ctx.edgeNodeId.isBlank() ? null : Probes.amqpUse(ctx.edgeNodeId));
            setup.put("raw_amqp", new Probes.AmqpUse(raw.connectionCount(), raw.channelCount()));
            if (cs.opened() < n || cr.opened() < n) {
                ctx.notes.put("fanout", "not every subscriber subscribed: edge " + cs.opened() + ", raw " + cr.opened()
                        + " of " + n + "; deliveries to the missing ones count as lost");
            }
            Thread.sleep(2_000);

            int index = 0;
            for (String peer : PEERS) {
                phases.add(RateScenario.phase(ctx, fleet, pub, peer, targets.get(peer), index++, -1, 0,
                        schedule.plan(1_000, 0, rates[0], rates[0] * warmupSeconds), true, stepSeconds, false));
            }
            for (int s = 0; s < rates.length; s++) {
                Duration need = Duration.ofSeconds((long) rounds * PEERS.size() * (stepSeconds * 2L + 20));
                if (!ctx.timeLeft(need)) {
                    ctx.notes.put("fanout_time", "stopped before " + rates[s] + " publishes/s: the time limit was near");
                    break;
                }
                for (int round = 1; round <= rounds; round++) {
                    Schedule.Plan plan = schedule.plan(s, round, rates[s], rates[s] * stepSeconds);
                    for (String peer : PEERS) {
                        phases.add(RateScenario.phase(ctx, fleet, pub, peer, targets.get(peer), index++, s, round, plan,
                                false, stepSeconds, brokerPerPhase));
                    }
                }
            }
            setup.put("client_stats", fleet.stats());
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
            setup.put("edge_queues_deleted", ctx.deleteQueues(queues));
        }
        return section(ctx, fanout, transport, sizes, seed, stepSeconds, setup, phases);
    }

    /** Message i to the topic {@code plan.user()[i]}: one delivery per subscriber of it, per confirmed message. */
    static RateScenario.Target toTopics(Fanout fanout, List<String> topicNames) {
        return new RateScenario.Target() {
            @Override
            public Publisher.Result publish(Publisher pub, int phase, Schedule.Plan plan, long maxNanos)
                    throws IOException, InterruptedException {
                return pub.publish(phase, plan, AmqpNames.TOPIC_EXCHANGE, topicNames, maxNanos);
            }

            @Override
            public long ledgerSize(Schedule.Plan plan) {
                return fanout.ledgerSize(plan.count());
            }

            @Override
            public long expected(Schedule.Plan plan, Publisher.Result published) {
                return fanout.expected(plan, published.sent(), published.notConfirmed());
            }
        };
    }

    private static Section section(RunContext ctx, Fanout fanout, Transport t, int[] sizes, long seed, int stepSeconds,
                                   Map<String, Object> setup, List<Phase> phases) {
        List<Phase> real = phases.stream().filter(p -> !p.warmup()).toList();
        double meanFanout = fanout.subscribers() / (double) fanout.topics();
        String fan = Fmt.num(meanFanout, fanout.subscribers() % fanout.topics() == 0 ? 0 : 1);
        TreeSet<Integer> rates = new TreeSet<>();
        real.forEach(p -> rates.add(p.targetRate()));
        String perTopic = fanout.subscribers() % fanout.topics() == 0 ? fan
                : fanout.subscribers() / fanout.topics() + " or " + fanout.width();
        LatencySummary sub = (LatencySummary) setup.get("edge_subscribe_latency");
        StringBuilder md = new StringBuilder();
        md.append(String.format("%,d sessions: A = Lasthop over %s, each subscribed by a `sub` request (its token's "
                        + "`lasthop` claim grants `%s`) to one of %d topics of `lasthop.topic`; B = %,d raw-AMQP queues "
                        + "(declared like session queues), each bound to one of %d topics of its own. A topic has %s "
                        + "subscribers (fan-out %s): a publish makes that many deliveries. A's and B's topics differ by name only "
                        + "(`bench.<run>.a.t<k>`, `bench.<run>.b.t<k>`): a phase reaches one peer, while both stay "
                        + "connected. Each phase publishes rate × %d s messages of %s bytes (seeded schedule, seed %d, "
                        + "each to a random topic; the same plan for both peers), persistent, with confirms; phases run "
                        + "A/B/A/B after one warm-up phase per peer. Loss and duplicates are per delivery: each confirmed "
                        + "message must reach every subscriber of its topic exactly once. Latency is publish → client "
                        + "decode over every delivery, the rounds' histograms merged.%n%n",
                fanout.subscribers(), t.wireName, Fanout.grant(ctx.runId, SPACE.get("lasthop")), fanout.topics(),
                fanout.subscribers(), fanout.topics(), perTopic, fan, stepSeconds, java.util.Arrays.toString(sizes), seed));
        md.append(String.format("Setup: A %s sessions opened (%s/s), %s subscribed (`ok`; `sub` → `ok` p50 / p99 %s / %s "
                        + "ms, %s/s)%s; B %s queues declared, bound and consumed (%s/s)%s.%n%n",
                setup.get("edge_sessions_opened"), setup.get("edge_connect_per_s"), setup.get("edge_subscribed"),
                LatencySummary.ms(sub.p50Us()), LatencySummary.ms(sub.p99Us()), setup.get("edge_subscribe_per_s"),
                failures(setup, "edge_connect_failures", "edge_subscribe_failures"), setup.get("raw_consumers_opened"),
                setup.get("raw_connect_per_s"), failures(setup, "raw_connect_failures")));
        md.append("| publishes/s | deliveries/s (rate × fan-out) | peer | published (confirmed) | deliveries expected "
                + "| delivered | lost | dup | deliveries/s reached | p50 / p90 / p99 / p99.9 / max, ms | p50 A/B | p99 A/B "
                + "| p99.9 A/B | saturated |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Map<Integer, LatencySummary>> merged = new LinkedHashMap<>();
        for (String peer : PEERS) {
            Map<Integer, LatencySummary> byRate = new LinkedHashMap<>();
            for (int rate : rates) {
                Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
                of(real, rate, peer).forEach(p -> h.add(LatencySummary.decode(p.histogram())));
                byRate.put(rate, LatencySummary.of(h));
            }
            merged.put(peer, byRate);
        }
        for (int rate : rates) {
            LatencySummary la = merged.get("lasthop").get(rate);
            LatencySummary lb = merged.get("raw-amqp").get(rate);
            for (String peer : PEERS) {
                List<Phase> ps = of(real, rate, peer);
                long confirmed = ps.stream().mapToLong(p -> p.published().confirmed()).sum();
                long expected = ps.stream().mapToLong(p -> p.delivered().expected()).sum();
                long delivered = ps.stream().mapToLong(p -> p.delivered().unique()).sum();
                long lost = ps.stream().mapToLong(Phase::lost).sum();
                long dup = ps.stream().mapToLong(p -> p.delivered().duplicates()).sum();
                double seconds = ps.stream().mapToDouble(Phase::deliverySeconds).sum();
                List<String> sat = ps.stream().flatMap(p -> p.saturation().stream()).distinct().toList();
                boolean a = peer.equals("lasthop");
                md.append(String.format("| %,d | %s | %s | %,d | %,d | %,d | %,d | %,d | %s | %s | %s | %s | %s | %s |%n",
                        rate, Fmt.num(rate * meanFanout, 0), RateScenario.LABEL.get(peer), confirmed, expected, delivered,
                        lost, dup, Fmt.num(seconds > 0 ? delivered / seconds : Double.NaN, 0),
                        merged.get(peer).get(rate).format(), a ? Fmt.ratio(la.p50Us(), lb.p50Us()) : "",
                        a ? Fmt.ratio(la.p99Us(), lb.p99Us()) : "", a ? Fmt.ratio(la.p999Us(), lb.p999Us()) : "",
                        sat.isEmpty() ? "no" : String.join("; ", sat)));
            }
        }
        md.append(String.format("%nDeliveries outside the plans (a message of another topic, or an id outside its "
                        + "phase; counted, never recorded): A %,d, B %,d. \"Deliveries/s reached\" is deliveries made / "
                        + "time from a phase's first publish to its last delivery (or the drain deadline), summed over "
                        + "the rounds. Each phase, in the order run (the spread between rounds is the noise floor of "
                        + "this machine):%n%n", foreign(phases, "lasthop"), foreign(phases, "raw-amqp")));
        md.append("| phase | publishes/s | round | peer | p50 / p90 / p99 / p99.9 / max, ms | publisher reached /s "
                + "| publisher max lateness, ms | drain, ms | deliveries/s reached | lost | dup |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            md.append(String.format("| %d | %,d | %s | %s | %s | %,.0f | %s | %,d | %s | %,d | %,d |%n", p.index(),
                    p.targetRate(), p.warmup() ? "warm-up" : Integer.toString(p.round()), p.peer(), p.latency().format(),
                    p.published().ratePerSecond(), Fmt.num(p.published().maxLagNanos() / 1e6, 1), p.drainMs(),
                    Fmt.num(p.deliverySeconds() > 0 ? p.delivered().unique() / p.deliverySeconds() : Double.NaN, 0),
                    p.lost(), p.delivered().duplicates()));
        }
        md.append("\nCPU seconds per 1,000 deliveries, by process (mean of rounds), with the cores it kept busy during "
                + "the phase. A and B share a broker with other work on this machine, so their broker figure is an "
                + "upper bound. The harness runs the publisher and the clients (A) or consumers (B).\n\n"
                + "| publishes/s | process | Lasthop (A) | raw AMQP (B) | A / B |\n|---|---|---|---|---|\n");
        for (int rate : rates) {
            Map<String, List<Phase>> by = new LinkedHashMap<>();
            for (String peer : PEERS) {
                by.put(peer, of(real, rate, peer));
            }
            RateScenario.cpuRow(md, false, rate, "edge", by, "edge", true);
            RateScenario.cpuRow(md, false, rate, "broker", by, "broker", true);
            RateScenario.cpuRow(md, false, rate, "harness", by, "harness", false);
            double ta = RateScenario.sumNan(RateScenario.meanCpu(by.get("lasthop"), "edge"),
                    RateScenario.meanCpu(by.get("lasthop"), "broker"));
            double tb = RateScenario.meanCpu(by.get("raw-amqp"), "broker");
            md.append(String.format("| %,d | **serving** (A: edge + broker; B: broker) | %s | %s | %s |%n", rate,
                    Fmt.num(ta, 3), Fmt.num(tb, 3), Fmt.ratio(ta, tb)));
        }
        double read = real.stream().filter(p -> p.peer().equals("lasthop")).mapToDouble(Phase::clientBytesReadPerMsg)
                .filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
        double meanPayload = real.stream().mapToDouble(Phase::meanPayload).average().orElse(Double.NaN);
        md.append(String.format("%nClient bytes read per delivery over %s (frames, headers and pings included): %s, for "
                        + "a mean body of %s bytes. AMQP connections/channels: edge %s; raw peer %s.%n", t.wireName,
                Fmt.num(read, 0), Fmt.num(meanPayload, 0), RateScenario.fmtUse(setup.get("edge_amqp")),
                RateScenario.fmtUse(setup.get("raw_amqp"))));
        md.append("\n![latency vs deliveries per second](%STEM%-fanout-latency.svg)\n");

        LineChart c = new LineChart("Fan-out latency vs deliveries per second (" + t.wireName + ", raw AMQP; fan-out "
                + fan + ")", "deliveries per second", "ms", true);
        double[] xs = rates.stream().mapToDouble(r -> r * meanFanout).toArray();
        String[] colors = {"#1f77b4", "#d62728", "#9467bd"};
        String[] pct = {"p50", "p99", "p99.9"};
        for (String peer : PEERS) {
            for (int k = 0; k < 3; k++) {
                final int kk = k;
                double[] ys = merged.get(peer).values().stream().mapToDouble(l -> {
                    long v = kk == 0 ? l.p50Us() : kk == 1 ? l.p99Us() : l.p999Us();
                    return v <= 0 ? Double.NaN : v / 1000.0;
                }).toArray();
                c.add(new LineChart.Series(RateScenario.LABEL.get(peer).replace("*", "") + " " + pct[k], colors[k],
                        !peer.equals("lasthop"), xs, ys));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", fanout.subscribers());
        data.put("topics", fanout.topics());
        data.put("mean_fanout", meanFanout);
        data.put("transport", t.wireName);
        data.put("peers", PEERS);
        data.put("topic_patterns", Map.of("lasthop", Fanout.grant(ctx.runId, SPACE.get("lasthop")),
                "raw-amqp", Fanout.grant(ctx.runId, SPACE.get("raw-amqp"))));
        data.put("sizes", sizes);
        data.put("seed", seed);
        data.put("step_seconds", stepSeconds);
        data.put("setup", setup);
        data.put("phases", phases);
        return new Section("Topic fan-out (scenario `fanout`)", md.toString(), data,
                Map.of("fanout-latency.svg", c.render()));
    }

    private static long foreign(List<Phase> phases, String peer) {
        return phases.stream().filter(p -> p.peer().equals(peer)).mapToLong(p -> p.delivered().foreign()).sum();
    }

    private static List<Phase> of(List<Phase> phases, int rate, String peer) {
        return phases.stream().filter(p -> p.targetRate() == rate && p.peer().equals(peer)).toList();
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
