package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What sharing AMQP channels among sessions would save, measured on the broker with no edge in
 * the way: N consumers (one queue each, declared like session queues) with K consumers per
 * channel, for each K of {@code --layouts}, interleaved per round. K = 1 is the edge's layout (a
 * channel per session, cumulative acks); K > 1 must ack each delivery on its own. For each: setup
 * rate and CPU, broker memory per consumer, then a delivery phase (latency, broker CPU per 1,000
 * messages, loss).
 */
public final class LayoutScenario {
    private LayoutScenario() {}

    record Run(
            int consumersPerChannel,
            int round,
            long opened,
            long channels,
            double setupPerSecond,
            LatencySummary setup,
            Map<String, Double> memPerConsumer,
            double brokerCpuMsPerSetup,
            double harnessCpuMsPerSetup,
            int rate,
            Publisher.Result published,
            Ledger.Counts delivered,
            LatencySummary latency,
            double brokerCpuPer1k,
            double harnessCpuPer1k,
            Map<String, Long> failures) {}

    public static Section run(RunContext ctx) throws Exception {
        int n = ctx.opts.integer("sessions", 2_000);
        int rounds = ctx.opts.integer("rounds", 2);
        int[] layouts = ctx.opts.ints("layouts", "1,16,256");
        int rate = ctx.opts.integer("layout-rate", 2_000);
        int seconds = ctx.opts.integer("step-seconds", 8);
        int settleMs = ctx.opts.integer("settle-ms", 3_000);
        Duration timeout = Duration.ofSeconds(ctx.opts.integer("ramp-timeout", 300));
        Schedule schedule = new Schedule(ctx.opts.longValue("seed", 42), n, ctx.opts.ints("sizes", "64,256,1024"));
        long self = ProcessHandle.current().pid();
        List<Run> runs = new ArrayList<>();
        int phase = 20_000;
        try (Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            for (int round = 1; round <= rounds; round++) {
                for (int k : layouts) {
                    if (!ctx.timeLeft(Duration.ofSeconds(60 + n / 100 + seconds * 3L))) {
                        ctx.notes.put("layout", "stopped at round " + round + ": the time limit was near");
                        return section(n, rate, seconds, runs);
                    }
                    runs.add(one(ctx, pub, schedule, self, round, k, n, rate, seconds, settleMs, timeout, phase++));
                }
            }
        }
        return section(n, rate, seconds, runs);
    }

    private static Run one(
            RunContext ctx,
            Publisher pub,
            Schedule schedule,
            long self,
            int round,
            int k,
            int n,
            int rate,
            int seconds,
            int settleMs,
            Duration timeout,
            int phase)
            throws Exception {
        System.err.printf("layout round %d: %d consumers, %d per channel%n", round, n, k);
        List<String> users = ctx.users("l" + k + "r" + round + "u", n);
        try (RawAmqpPeer peer = ctx.rawPeer(n, "l" + k + "r" + round + ".").consumersPerChannel(k)) {
            Snapshot base = Snapshot.take(0, self, false, ctx.queueRegex());
            double b0 = ProcessProbes.cpuSeconds(ctx.brokerPid);
            double h0 = ProcessProbes.cpuSeconds(self);
            ConnectReport r = peer.connectAll(users, 16, timeout);
            double b1 = ProcessProbes.cpuSeconds(ctx.brokerPid);
            double h1 = ProcessProbes.cpuSeconds(self);
            Thread.sleep(settleMs);
            Snapshot after = Snapshot.take(r.opened(), self, false, ctx.queueRegex());
            Map<String, Double> mem = after.perSession(base);

            Schedule.Plan plan = schedule.plan(0, round, rate, rate * seconds);
            ctx.ledgers.open(phase, plan.count());
            double b2 = ProcessProbes.cpuSeconds(ctx.brokerPid);
            double h2 = ProcessProbes.cpuSeconds(self);
            Publisher.Result res = pub.publish(
                    phase, plan, users, Duration.ofSeconds(seconds * 3L).toNanos());
            Ledger ledger = ctx.ledgers.get(phase);
            Ledger.Counts c = Drain.await(ledger::counts, res.confirmed(), ctx.drainLimit())
                    .counts();
            double b3 = ProcessProbes.cpuSeconds(ctx.brokerPid);
            double h3 = ProcessProbes.cpuSeconds(self);
            Histogram h = ledger.histogram();
            ctx.ledgers.close(phase);
            long channels = peer.sharedChannelCount();
            double k1 = c.unique() / 1000.0;
            return new Run(
                    k,
                    round,
                    r.opened(),
                    channels,
                    r.perSecond(),
                    LatencySummary.of(r.latencyUs()),
                    mem,
                    perMs(b1 - b0, r.opened()),
                    perMs(h1 - h0, r.opened()),
                    rate,
                    res,
                    new Ledger.Counts(res.confirmed(), c.unique(), c.duplicates(), c.foreign(), c.clockSkewed()),
                    LatencySummary.of(h),
                    k1 == 0 ? Double.NaN : (b3 - b2) / k1,
                    k1 == 0 ? Double.NaN : (h3 - h2) / k1,
                    r.failures());
        }
    }

    private static double perMs(double seconds, long count) {
        return count == 0 ? Double.NaN : seconds * 1000 / count;
    }

    private static Section section(int n, int rate, int seconds, List<Run> runs) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                "%,d raw-AMQP consumers per layout, one durable session-like queue each, over the "
                        + "same few connections; K consumers share a channel (K = 1: a channel each, the edge's layout, "
                        + "cumulative acks; K > 1: each delivery acked on its own, since `multiple` would ack the other "
                        + "consumers' deliveries). Layouts interleaved per round; means of the rounds. Then %,d msg/s for "
                        + "%d s to random users. Broker figures are from the shared node (noisy); the ratio is against "
                        + "K = 1.%n%n",
                n, rate, seconds));
        List<Integer> ks =
                runs.stream().map(Run::consumersPerChannel).distinct().toList();
        md.append("| figure |");
        ks.forEach(k -> md.append(" K = ").append(k).append(" |"));
        ks.stream().skip(1).forEach(k -> md.append(" K = ").append(k).append(" / K = 1 |"));
        md.append("\n|---|").append("---|".repeat(ks.size() * 2 - 1)).append('\n');
        row(md, ks, runs, "channels", r -> r.channels(), v -> Fmt.num(v, 0));
        row(md, ks, runs, "consumer setup rate, /s (16 threads)", Run::setupPerSecond, v -> Fmt.num(v, 0));
        row(md, ks, runs, "setup time p50, ms", r -> r.setup().p50Us() / 1000.0, v -> Fmt.num(v, 1));
        row(md, ks, runs, "broker CPU ms / setup", Run::brokerCpuMsPerSetup, v -> Fmt.num(v, 2));
        row(
                md,
                ks,
                runs,
                "broker memory / consumer (`memory_breakdown`, all)",
                r -> mem(r, "broker_total"),
                Fmt::bytesDelta);
        row(
                md,
                ks,
                runs,
                "… of which connections and channels (`connection_*`)",
                r -> mem(r, "broker_connection"),
                Fmt::bytesDelta);
        row(md, ks, runs, "… of which queue processes", r -> mem(r, "broker_queue_procs"), Fmt::bytesDelta);
        row(md, ks, runs, "client JVM RSS / consumer", r -> mem(r, "rss"), Fmt::bytesDelta);
        row(md, ks, runs, "delivery p50, ms", r -> r.latency().p50Us() / 1000.0, v -> Fmt.num(v, 2));
        row(md, ks, runs, "delivery p99, ms", r -> r.latency().p99Us() / 1000.0, v -> Fmt.num(v, 2));
        row(
                md,
                ks,
                runs,
                "broker CPU s / 1,000 messages (publish + deliver + ack)",
                Run::brokerCpuPer1k,
                v -> Fmt.num(v, 3));
        row(
                md,
                ks,
                runs,
                "client CPU s / 1,000 messages (publisher + consumers)",
                Run::harnessCpuPer1k,
                v -> Fmt.num(v, 3));
        row(md, ks, runs, "lost", r -> r.delivered().lost(), v -> Fmt.num(v, 0));
        row(md, ks, runs, "duplicates", r -> r.delivered().duplicates(), v -> Fmt.num(v, 0));
        for (Run r : runs) {
            if (!r.failures().isEmpty()) {
                md.append(String.format(
                        "%nRound %d, K = %d failures: %s%n", r.round(), r.consumersPerChannel(), r.failures()));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("consumers", n);
        data.put("rate", rate);
        data.put("runs", runs);
        return new Section("AMQP channel layouts (scenario `layout`)", md.toString(), data, Map.of());
    }

    private static double mem(Run r, String key) {
        Double v = r.memPerConsumer().get(key);
        return v == null ? Double.NaN : v;
    }

    private static void row(
            StringBuilder md,
            List<Integer> ks,
            List<Run> runs,
            String name,
            java.util.function.ToDoubleFunction<Run> f,
            java.util.function.DoubleFunction<String> fmt) {
        md.append("| ").append(name).append(" |");
        List<Double> means = new ArrayList<>();
        for (int k : ks) {
            double v = runs.stream()
                    .filter(r -> r.consumersPerChannel() == k)
                    .mapToDouble(f)
                    .filter(x -> !Double.isNaN(x))
                    .average()
                    .orElse(Double.NaN);
            means.add(v);
            md.append(' ').append(fmt.apply(v)).append(" |");
        }
        for (int i = 1; i < means.size(); i++) {
            md.append(' ').append(Fmt.ratio(means.get(i), means.get(0))).append(" |");
        }
        md.append('\n');
    }
}
