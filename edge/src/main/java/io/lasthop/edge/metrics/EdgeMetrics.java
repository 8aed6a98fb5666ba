package io.lasthop.edge.metrics;

import io.lasthop.protocol.CloseCode;
import io.lasthop.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The edge's Prometheus metrics. Names carry their unit; Micrometer appends {@code _total} to
 * counters. Hot-path counters are looked up once, here, never per event.
 */
public final class EdgeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> authFailures = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, Counter> clientErrors = new EnumMap<>(ErrorCode.class);
    private final Map<CloseCode, Counter> closes = new EnumMap<>(CloseCode.class);
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final AtomicLong acksPending = new AtomicLong();
    private final LongAdder pollQueuedBytes = new LongAdder();
    // Held here for the FunctionCounters, which hold them only weakly (bindBrokerConnections).
    private LongSupplier channelRefusals;
    private LongSupplier connectFailures;

    public final Counter deliveries;
    public final Counter redeliveries;
    public final Counter acked;
    public final Counter backpressurePauses;
    public final Counter sessionsNew;
    public final Counter sessionsResumed;
    public final Counter sessionRecoveries;
    public final DistributionSummary ackDelay;
    public final Timer loopDelay;

    public EdgeMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // Open files bound a node's capacity: one per browser connection.
        new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
        deliveries = Counter.builder("lasthop.deliveries")
                .description("Messages written to clients")
                .register(registry);
        redeliveries = Counter.builder("lasthop.redeliveries")
                .description("Messages written to clients that the broker had delivered before")
                .register(registry);
        acked = Counter.builder("lasthop.acked.messages")
                .description("Messages acked by clients")
                .register(registry);
        backpressurePauses = Counter.builder("lasthop.backpressure.pauses")
                .description("Times delivery to a client paused because its socket was not writable")
                .register(registry);
        sessionsNew = Counter.builder("lasthop.sessions.opened")
                .tag("resumed", "false")
                .description("Sessions opened")
                .register(registry);
        sessionsResumed = Counter.builder("lasthop.sessions.opened")
                .tag("resumed", "true")
                .description("Sessions opened")
                .register(registry);
        sessionRecoveries = Counter.builder("lasthop.session.recoveries")
                .description("Sessions re-attached to the broker after losing their channel")
                .register(registry);
        ackDelay = DistributionSummary.builder("lasthop.ack.delay.seconds")
                .description("Time from writing a message to the client to its ack")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        // A Timer, which counts nanoseconds: a summary in seconds counted every delay in its 1 s
        // bucket here (its histogram's minimum expected value is 1).
        loopDelay = Timer.builder("lasthop.event.loop.delay")
                .description("How late an event loop ran a task due every 100 ms: what every read, write "
                        + "and delivery on that loop waited at that moment")
                .serviceLevelObjectives(
                        Duration.ofMillis(1),
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(25),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofSeconds(1))
                .register(registry);
        Gauge.builder("lasthop.acks.pending", acksPending, AtomicLong::get)
                .description("Messages written to clients and not yet acked")
                .register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            authFailures.put(
                    code,
                    Counter.builder("lasthop.auth.failures")
                            .tag("code", code.code())
                            .description("Refused tokens")
                            .register(registry));
            clientErrors.put(
                    code,
                    Counter.builder("lasthop.client.errors")
                            .tag("code", code.code())
                            .description("Client frames or requests refused")
                            .register(registry));
        }
        for (String reason : new String[] {
            "connections",
            "pipelining",
            "request_timeout",
            "sessions_per_user",
            "session_rate",
            "session_rate_address",
            "output_bound"
        }) {
            refusals.put(
                    reason,
                    Counter.builder("lasthop.refusals")
                            .tag("reason", reason)
                            .description("Connections and sessions refused or cut by a node's limits")
                            .register(registry));
        }
        for (CloseCode code : CloseCode.values()) {
            closes.put(
                    code,
                    Counter.builder("lasthop.closes")
                            .tag("reason", code.reason())
                            .description("Connections the edge ended, by reason")
                            .register(registry));
        }
    }

    public void bindSessions(IntSupplier sessions) {
        Gauge.builder("lasthop.sessions", sessions::getAsInt)
                .description("Sessions connected to this node")
                .register(registry);
    }

    public void bindBrokerState(BooleanSupplier connected) {
        Gauge.builder("lasthop.broker.connected", () -> connected.getAsBoolean() ? 1 : 0)
                .description("1 while every broker connection is open")
                .register(registry);
    }

    public void bindReadiness(BooleanSupplier ready) {
        Gauge.builder("lasthop.ready", () -> ready.getAsBoolean() ? 1 : 0)
                .description("1 while the node takes new sessions: broker connected and not draining")
                .register(registry);
    }

    /** Open connections of one transport; the server registers each transport at start, so all show 0. */
    public AtomicInteger connections(String transport) {
        return connections.computeIfAbsent(transport, t -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("lasthop.connections", n, AtomicInteger::get)
                    .tag("transport", t)
                    .description("Open client connections by transport")
                    .register(registry);
            return n;
        });
    }

    /**
     * Open client connections, those without a session, and their bound; see
     * {@code limits.connections}.
     */
    public void bindConnectionLimits(
            IntSupplier open, IntSupplier unauthenticated, int max, LongSupplier pendingOutputBytes) {
        Gauge.builder(
                        "lasthop.client.output.pending.bytes",
                        () -> pendingOutputBytes.getAsLong() + pollQueuedBytes.sum())
                .description("Bytes written to clients that they have not taken yet: in sockets' buffers, and "
                        + "waiting for the next long-poll")
                .register(registry);
        Gauge.builder("lasthop.client.connections", open::getAsInt)
                .description("Open client connections, with or without a session")
                .register(registry);
        Gauge.builder("lasthop.client.connections.unauthenticated", unauthenticated::getAsInt)
                .description("Open client connections that carry no session")
                .register(registry);
        Gauge.builder("lasthop.client.connections.max", () -> max)
                .description("Client connections this node accepts at most")
                .register(registry);
    }

    /**
     * A connection or session refused, or a connection closed, by a limit that protects the node:
     * {@code connections}, {@code pipelining}, {@code request_timeout}, {@code sessions_per_user},
     * {@code session_rate}, {@code session_rate_address}, {@code output_bound}.
     */
    public void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("lasthop.refusals")
                        .tag("reason", r)
                        .description("Connections and sessions refused or cut by a node's limits")
                        .register(registry))
                .increment();
    }

    /** A session began writing to a connection of {@code transport}. */
    public void attached(String transport, boolean resumed) {
        connections(transport).incrementAndGet();
        (resumed ? sessionsResumed : sessionsNew).increment();
    }

    /** That connection ended; {@code code} is null when the client went away. */
    public void detached(String transport, CloseCode code) {
        connections(transport).decrementAndGet();
        if (code != null) {
            closes.get(code).increment();
        }
    }

    /**
     * The AMQP connections that carry sessions, sessions refused for want of a channel, and failed
     * attempts to open a session connection.
     */
    public void bindBrokerConnections(IntSupplier open, LongSupplier refusals, LongSupplier connectFailures) {
        Gauge.builder("lasthop.amqp.connections", open::getAsInt)
                .description("Open AMQP connections that carry sessions")
                .register(registry);
        // A FunctionCounter holds its object weakly, and these method references have no other
        // holder: kept here, or a collection would turn the counters into NaN.
        this.channelRefusals = refusals;
        this.connectFailures = connectFailures;
        FunctionCounter.builder("lasthop.amqp.channel.refusals", refusals, LongSupplier::getAsLong)
                .description("Sessions refused because every AMQP connection was full or down")
                .register(registry);
        FunctionCounter.builder("lasthop.amqp.connect.failures", connectFailures, LongSupplier::getAsLong)
                .description("Attempts to open a session AMQP connection that failed: broker down, refused, TLS")
                .register(registry);
    }

    /** What long-poll connections hold for their next poll, in bytes; the transport keeps it. */
    public LongAdder pollQueuedBytes() {
        return pollQueuedBytes;
    }

    public void authFailure(ErrorCode code) {
        authFailures.get(code).increment();
    }

    public void clientError(ErrorCode code) {
        clientErrors.get(code).increment();
    }

    public void acksPending(long delta) {
        acksPending.addAndGet(delta);
    }

    public String scrape() {
        return registry.scrape();
    }
}
