package io.lasthop.bench.scenario;

import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.StompPeer;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * User-addressed messages at rising rates. N edge sessions and N raw-AMQP consumers stay connected
 * the whole time; for every rate step and round the one publisher runs the same seeded plan first
 * to the edge's users (A), then to the raw consumers' users (B): A/B/A/B. Each phase publishes a
 * fixed count (rate × step seconds), waits for the deliveries to drain, and records latency
 * (publish → client decode), delivered vs published, and CPU per process (see {@link Phase}); the
 * report is {@link RateReport}'s.
 */
public final class RateScenario {
    private RateScenario() {}

    public static Section run(RunContext ctx) throws Exception {
        int n = ctx.opts.integer("sessions", 1_000);
        List<Integer> rates = new ArrayList<>();
        for (int r : ctx.opts.ints("rates", "500,1000,2000")) {
            rates.add(r);
        }
        int stepSeconds = ctx.opts.integer("step-seconds", 8);
        int rounds = ctx.opts.integer("rounds", 2);
        int[] sizes = ctx.opts.ints("sizes", "64,256,1024");
        long seed = ctx.opts.longValue("seed", 42);
        int warmupSeconds = ctx.opts.integer("warmup-seconds", 3);
        boolean untilSaturation = ctx.opts.flag("until-saturation");
        int maxRate = ctx.opts.integer("max-rate", 16_000);
        int concurrency = ctx.opts.integer("connect-concurrency", 64);
        boolean brokerPerPhase = !ctx.opts.flag("no-broker-memory");
        Transport transport = ctx.transport();
        Schedule schedule = new Schedule(seed, n, sizes);

        List<Phase> phases = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        Map<String, List<String>> users = new LinkedHashMap<>();
        users.put("lasthop", ctx.users("re", n));
        users.put("raw-amqp", ctx.users("rr", n));
        if (ctx.stomp != null) {
            users.put("web-stomp", ctx.users("rs", n));
        }
        StompPeer stomp = null;
        Publisher stompPub = null;
        try (Fleet fleet = ctx.fleet(n, transport);
                RawAmqpPeer raw = ctx.rawPeer(n, "rate.");
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf(
                    "rate: connecting %d %s sessions and %d raw consumers%s%n",
                    n, transport.wireName, n, ctx.stomp == null ? "" : " and " + n + " Web-STOMP connections");
            ConnectReport ce = fleet.connect(users.get("lasthop"), transport, concurrency, Duration.ofSeconds(300));
            ConnectReport cr = raw.connectAll(users.get("raw-amqp"), 16, Duration.ofSeconds(300));
            setup.put("edge_sessions_opened", ce.opened());
            setup.put("edge_connect_failures", ce.failures());
            setup.put("edge_connect_per_s", Math.round(ce.perSecond()));
            setup.put("raw_consumers_opened", cr.opened());
            setup.put("raw_connect_failures", cr.failures());
            setup.put("raw_connect_per_s", Math.round(cr.perSecond()));
            long stompOpened = -1;
            if (ctx.stomp != null) {
                stomp = ctx.stompPeer(n);
                stompPub = new Publisher(ctx.stompAmqp(), "lasthop-bench publisher");
                ConnectReport cs = stomp.connectAll(users.get("web-stomp"), concurrency, Duration.ofSeconds(300));
                stompOpened = cs.opened();
                setup.put("stomp_connections_opened", cs.opened());
                setup.put("stomp_connect_failures", cs.failures());
                setup.put("stomp_connect_per_s", Math.round(cs.perSecond()));
            }
            setup.put("client_processes", fleet.pids().size());
            BrokerProbes.AmqpUse use = ctx.edgeNodeId.isBlank() ? null : BrokerProbes.amqpUse(ctx.edgeNodeId);
            setup.put("edge_amqp", use);
            setup.put("raw_amqp", new BrokerProbes.AmqpUse(raw.connectionCount(), raw.channelCount()));
            if (ce.opened() < n || cr.opened() < n || (stompOpened >= 0 && stompOpened < n)) {
                ctx.notes.put(
                        "rate",
                        "not every session connected: edge " + ce.opened() + ", raw " + cr.opened()
                                + (stompOpened >= 0 ? ", web-stomp " + stompOpened : "") + " of " + n
                                + "; messages to the missing users count as lost");
            }
            Thread.sleep(2_000);

            int index = 0;
            int first = rates.get(0);
            for (String peer : users.keySet()) {
                phases.add(Phase.run(
                        ctx,
                        fleet,
                        peer.equals("web-stomp") ? stompPub : pub,
                        peer,
                        PhaseTarget.toUsers(users.get(peer)),
                        index++,
                        -1,
                        0,
                        schedule.plan(1_000, 0, first, first * warmupSeconds),
                        true,
                        stepSeconds,
                        false));
            }
            for (int s = 0; s < rates.size(); s++) {
                int rate = rates.get(s);
                Duration need = Duration.ofSeconds((long) rounds * users.size() * (stepSeconds * 2L + 20));
                if (!ctx.timeLeft(need)) {
                    ctx.notes.put("rate_time", "stopped before " + rate + "/s: the time limit was near");
                    break;
                }
                boolean edgeSaturated = false;
                for (int round = 1; round <= rounds; round++) {
                    Schedule.Plan plan = schedule.plan(s, round, rate, rate * stepSeconds);
                    for (String peer : users.keySet()) {
                        Phase ph = Phase.run(
                                ctx,
                                fleet,
                                peer.equals("web-stomp") ? stompPub : pub,
                                peer,
                                PhaseTarget.toUsers(users.get(peer)),
                                index++,
                                s,
                                round,
                                plan,
                                false,
                                stepSeconds,
                                brokerPerPhase);
                        phases.add(ph);
                        edgeSaturated |= peer.equals("lasthop") && ph.saturated();
                    }
                }
                if (untilSaturation && s == rates.size() - 1 && !edgeSaturated && rate * 2 <= maxRate) {
                    rates.add(rate * 2);
                }
            }
            setup.put("client_stats", fleet.stats());
            if (stomp != null) {
                setup.put("stomp_client_stats", stomp.stats().snapshot());
            }
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
            setup.put("edge_queues_deleted", ctx.deleteQueues(queues));
        } finally {
            if (stomp != null) {
                stomp.close();
            }
            if (stompPub != null) {
                stompPub.close();
            }
        }
        return RateReport.render(
                n, transport, sizes, seed, stepSeconds, setup, phases, new ArrayList<>(users.keySet()));
    }
}
