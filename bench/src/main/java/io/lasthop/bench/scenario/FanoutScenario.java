package io.lasthop.bench.scenario;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.report.Section;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Topic fan-out: one publish reaches many sessions. A = N edge sessions, each subscribed by a
 * {@code sub} request (its token's {@code lasthop} claim grants the run's topics) to one of T
 * topics of {@code lasthop.topic}; B = N raw-AMQP queues, each bound to one of T topics of its
 * own, so each publish reaches about N/T subscribers of one peer. Both stay connected throughout;
 * for every rate step and round the publisher sends the same seeded plan (each message to a random
 * topic) first to A's topics, then to B's: A/B/A/B, after one warm-up phase per peer. Loss,
 * duplicates, latency and CPU are counted per delivery (see {@link Fanout}); the report is
 * {@link FanoutReport}'s.
 */
public final class FanoutScenario {
    /** The peers fan-out compares, in the order their phases run. */
    static final List<String> PEERS = List.of("lasthop", "raw-amqp");
    /** The peers' topic namespaces: {@code bench.<run>.a.*} for A, {@code bench.<run>.b.*} for B. */
    private static final Map<String, String> SPACE = Map.of("lasthop", "a", "raw-amqp", "b");

    private FanoutScenario() {}

    /** The subscribe pattern of a peer's topics in the run, which A's tokens carry. */
    static String grant(String runId, String peer) {
        return Fanout.grant(runId, SPACE.get(peer));
    }

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
        Transport transport = ctx.transport();
        Fanout fanout = new Fanout(n, topics);
        Schedule schedule = new Schedule(seed, topics, sizes);
        if (ctx.stomp != null) {
            ctx.notes.put(
                    "fanout_peers", "fan-out compares Lasthop with raw AMQP only; the Web-STOMP peer takes no part");
        }

        List<Phase> phases = new ArrayList<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        Map<String, PhaseTarget> targets = new LinkedHashMap<>();
        for (String peer : PEERS) {
            targets.put(peer, PhaseTarget.toTopics(fanout, fanout.topicNames(ctx.runId, SPACE.get(peer))));
        }
        try (Fleet fleet = ctx.fleet(n, transport, List.of(grant(ctx.runId, "lasthop")));
                RawAmqpPeer raw = ctx.rawPeer(n, "fanout.");
                Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            System.err.printf(
                    "fanout: connecting and subscribing %d %s sessions and %d raw consumers to %d topics each%n",
                    n, transport.wireName, n, topics);
            Duration timeout = Duration.ofSeconds(300);
            ConnectReport ce = fleet.connect(ctx.users("fe", n), transport, concurrency, timeout);
            ConnectReport cs = fleet.subscribe(
                    fanout.subscribers(ctx.users("fe", n), ctx.runId, SPACE.get("lasthop")), concurrency, timeout);
            ConnectReport cr = raw.connectSubscribers(
                    fanout.subscribers(ctx.users("fr", n), ctx.runId, SPACE.get("raw-amqp")), 16, timeout);
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
            setup.put("edge_amqp", ctx.edgeNodeId.isBlank() ? null : BrokerProbes.amqpUse(ctx.edgeNodeId));
            setup.put("raw_amqp", new BrokerProbes.AmqpUse(raw.connectionCount(), raw.channelCount()));
            if (cs.opened() < n || cr.opened() < n) {
                ctx.notes.put(
                        "fanout",
                        "not every subscriber subscribed: edge " + cs.opened() + ", raw " + cr.opened() + " of " + n
                                + "; deliveries to the missing ones count as lost");
            }
            Thread.sleep(2_000);

            int index = 0;
            for (String peer : PEERS) {
                phases.add(Phase.run(
                        ctx,
                        fleet,
                        pub,
                        peer,
                        targets.get(peer),
                        index++,
                        -1,
                        0,
                        schedule.plan(1_000, 0, rates[0], rates[0] * warmupSeconds),
                        true,
                        stepSeconds,
                        false));
            }
            for (int s = 0; s < rates.length; s++) {
                Duration need = Duration.ofSeconds((long) rounds * PEERS.size() * (stepSeconds * 2L + 20));
                if (!ctx.timeLeft(need)) {
                    ctx.notes.put(
                            "fanout_time", "stopped before " + rates[s] + " publishes/s: the time limit was near");
                    break;
                }
                for (int round = 1; round <= rounds; round++) {
                    Schedule.Plan plan = schedule.plan(s, round, rates[s], rates[s] * stepSeconds);
                    for (String peer : PEERS) {
                        phases.add(Phase.run(
                                ctx,
                                fleet,
                                pub,
                                peer,
                                targets.get(peer),
                                index++,
                                s,
                                round,
                                plan,
                                false,
                                stepSeconds,
                                brokerPerPhase));
                    }
                }
            }
            setup.put("client_stats", fleet.stats());
            List<String> queues = fleet.sessionQueues();
            fleet.closeAll(Duration.ofSeconds(30));
            // Deleting a queue the edge still consumes is fine: the broker cancels the consumer.
            setup.put("edge_queues_deleted", ctx.deleteQueues(queues));
        }
        return FanoutReport.render(ctx.runId, fanout, transport, sizes, seed, stepSeconds, setup, phases);
    }
}
