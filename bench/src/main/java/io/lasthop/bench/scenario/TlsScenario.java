package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.bench.client.ClientPool;
import io.lasthop.bench.client.ConnectReport;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.HandshakeProbe;
import io.lasthop.bench.client.SourceAddresses;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.report.Section;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What TLS costs the edge (issue 14), a TLS edge against a plaintext edge started side by side by
 * {@code BENCH_TLS=1 bench/run} (same build, same settings, same broker), interleaved A/B/A/B:
 *
 * <ol>
 *   <li><b>handshakes</b>: K connections that each open, handshake (TLS: always a full handshake;
 *       the client keeps no session to resume), {@code GET /healthz} and close, at most C being
 *       opened at once: connections per second and edge CPU per connection, no broker involved;
 *   <li><b>sessions</b>: N WebSocket sessions opened the same way (handshake, upgrade, {@code hello}):
 *       rate and CPU per session (edge, broker), then held idle: the edge's heap after a full GC
 *       and RSS per session;
 *   <li><b>SSE over HTTP/2 against HTTP/1.1</b>, on the TLS edge: N SSE sessions (HTTP/1.1: a
 *       TLS connection for the stream and one for the ack POSTs, per session; HTTP/2: every
 *       session's GET and POSTs as streams of shared connections, {@code --h2-sessions-per-connection}
 *       sessions each), memory per session, then a fixed rate to random users: latency and CPU;
 *   <li><b>providers</b>: the same handshake loop against a minimal HTTPS server of the harness's
 *       own (a child JVM), with no TLS, the JDK's provider (the edge's) and netty-tcnative's
 *       BoringSSL, same certificate, same client; after each, {@code --provider-idle} N connections
 *       that handshake, send one keep-alive request and stay open, idle: the server's heap after a
 *       full GC and RSS (its heap fixed and pre-touched, so RSS grows only outside the heap) per
 *       connection.
 * </ol>
 *
 * The client is always the JDK's provider, TLS 1.3 preferred, trusting the run's certificate. The
 * report is {@link TlsReport}'s.
 */
public final class TlsScenario {
    private TlsScenario() {}

    /** One batch of connections or sessions to one target, and what it cost. */
    record Batch(
            String kind,
            String target,
            int round,
            long requested,
            long opened,
            long failed,
            Map<String, Long> failures,
            double perSecond,
            LatencySummary latency,
            Map<String, Double> cpuMsPerConnection,
            Map<String, Double> memPerSession,
            String negotiated) {}

    /** One SSE mode in one round: its sessions' ramp and memory, and its rate phase. */
    record SsePass(
            String mode,
            int round,
            Batch connect,
            Phase phase,
            long ackConnectionsDuringPhase,
            Map<String, Object> clientStats) {}

    static final String PLAIN = "plain edge";
    static final String TLS = "TLS edge";

    public static Section run(RunContext ctx) throws Exception {
        int tlsIndex = ctx.opts.integer("tls-edge", -1);
        if (tlsIndex < 0 || tlsIndex >= ctx.edges.size() || ctx.edges.size() < 2) {
            throw new IllegalArgumentException("the tls scenario needs a plaintext and a TLS edge: "
                    + "run it as BENCH_TLS=1 bench/run tls (which passes --tls-edge, --tls-cert, --tls-key)");
        }
        RunContext.EdgeNode tlsEdge = ctx.edges.get(tlsIndex);
        RunContext.EdgeNode plainEdge = ctx.edges.get(tlsIndex == 0 ? 1 : 0);
        File cert = new File(ctx.opts.str("tls-cert", ""));
        File key = new File(ctx.opts.str("tls-key", ""));
        int rounds = ctx.opts.integer("rounds", 2);
        int handshakes = ctx.opts.integer("handshakes", 2_000);
        int concurrency = ctx.opts.integer("handshake-concurrency", 32);
        int sessions = ctx.opts.integer("tls-idle", 1_000);
        int sseSessions = ctx.opts.integer("sse-sessions", 1_000);
        int sseRate = ctx.opts.integer("sse-rate", 500);
        int stepSeconds = ctx.opts.integer("step-seconds", 8);
        int perH2 = ctx.opts.integer("h2-sessions-per-connection", 64);
        int settleMs = ctx.opts.integer("settle-ms", 3_000);
        int providerIdle = ctx.opts.integer("provider-idle", 1_000);
        List<String> providers =
                ctx.opts.list("providers").isEmpty() ? List.of("none", "jdk", "openssl") : ctx.opts.list("providers");
        List<String> parts = ctx.opts.list("tls-parts").isEmpty()
                ? List.of("handshakes", "sessions", "sse", "providers")
                : ctx.opts.list("tls-parts");
        SslContext h1 = client(cert, false);
        SslContext h2 = client(cert, true);

        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("plain_edge", plainEdge.host() + ":" + plainEdge.port() + " pid " + plainEdge.pid());
        setup.put("tls_edge", tlsEdge.host() + ":" + tlsEdge.port() + " pid " + tlsEdge.pid());
        setup.put("certificate", cert.getPath());
        setup.put("rounds", rounds);
        setup.put("handshakes", handshakes);
        setup.put("handshake_concurrency", concurrency);
        setup.put("sessions", sessions);
        setup.put("provider_idle", providerIdle);
        List<Batch> batches = new ArrayList<>();
        List<SsePass> sse = new ArrayList<>();

        // Warm both edges up (JIT, pools, the TLS provider): a cold JVM connects far slower.
        if (parts.contains("handshakes") || parts.contains("sessions")) {
            for (RunContext.EdgeNode e : List.of(plainEdge, tlsEdge)) {
                SslContext t = e == tlsEdge ? h1 : null;
                System.err.printf("tls warm-up: %s%n", e == tlsEdge ? TLS : PLAIN);
                handshakeBatch(ctx, e, t, "warm-up", 0, Math.min(handshakes, 1_000), concurrency);
                sessionBatch(ctx, e, t, "warm-up", 0, Math.min(sessions, 200), concurrency, 500, "tw");
            }
        }
        for (int round = 1; round <= rounds; round++) {
            if (!ctx.timeLeft(Duration.ofSeconds(120))) {
                ctx.notes.put("tls", "stopped after round " + (round - 1) + " of the edges: the time limit was near");
                break;
            }
            for (RunContext.EdgeNode e : List.of(plainEdge, tlsEdge)) {
                String name = e == tlsEdge ? TLS : PLAIN;
                SslContext t = e == tlsEdge ? h1 : null;
                if (parts.contains("handshakes")) {
                    batches.add(handshakeBatch(ctx, e, t, name, round, handshakes, concurrency));
                }
                if (parts.contains("sessions")) {
                    batches.add(sessionBatch(
                            ctx,
                            e,
                            t,
                            name,
                            round,
                            sessions,
                            concurrency,
                            settleMs,
                            "t" + round + (e == tlsEdge ? "s" : "p")));
                }
            }
        }
        if (parts.contains("sse")) {
            sse.addAll(ssePasses(ctx, tlsEdge, h1, h2, rounds, sseSessions, sseRate, stepSeconds, perH2, settleMs));
        }
        if (parts.contains("providers")) {
            batches.addAll(providerBatches(
                    ctx, cert, key, providers, rounds, handshakes, concurrency, providerIdle, settleMs, h1));
        }
        setup.put("sse_sessions", sseSessions);
        setup.put("sse_rate", sseRate);
        setup.put("h2_sessions_per_connection", perH2);
        return TlsReport.render(setup, batches, sse, rounds);
    }

    /** The harness's client context: JDK provider, TLS 1.3 and 1.2, trusting the run's certificate. */
    static SslContext client(File cert, boolean h2) throws Exception {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(cert)
                .protocols("TLSv1.3", "TLSv1.2");
        if (h2) {
            b.applicationProtocolConfig(new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2));
        }
        return b.build();
    }

    private static ClientPool pool(RunContext ctx, String host, int port, SslContext tls) {
        ClientPool p = new ClientPool(
                host,
                port,
                ctx.secret,
                Duration.ofHours(6),
                ctx.ledgers,
                new SourceAddresses(0, SourceAddresses.DEFAULT_PER_ADDRESS, 0),
                ctx.opts.integer("client-threads", 2));
        return tls == null ? p : p.tls(tls);
    }

    /** K connections, handshake and GET /healthz each, to an edge; CPU of the edge and the harness. */
    private static Batch handshakeBatch(
            RunContext ctx, RunContext.EdgeNode e, SslContext tls, String name, int round, int k, int concurrency)
            throws Exception {
        System.err.printf("tls round %d: %d connections to the %s (handshake, GET /healthz)%n", round, k, name);
        try (ClientPool pool = pool(ctx, e.host(), e.port(), tls)) {
            return probe(ctx, pool, Map.of("edge", e.pid()), "handshake", name, round, k, concurrency);
        }
    }

    private static Batch probe(
            RunContext ctx,
            ClientPool pool,
            Map<String, Long> pids,
            String kind,
            String name,
            int round,
            int k,
            int concurrency)
            throws Exception {
        HandshakeProbe probe = new HandshakeProbe(pool, "/healthz");
        long self = ProcessHandle.current().pid();
        CpuUse.Measured<ConnectReport> m =
                CpuUse.during(pids, () -> List.of(self), () -> probe.run(k, concurrency, Duration.ofSeconds(300)));
        ConnectReport r = m.result();
        System.err.printf("  %d of %d, %.0f/s, %s%n", r.opened(), k, r.perSecond(), probe.negotiated());
        return new Batch(
                kind,
                name,
                round,
                k,
                r.opened(),
                r.failed() + r.notStarted(),
                r.failures(),
                r.perSecond(),
                LatencySummary.of(r.latencyUs()),
                perConnection(m.seconds(), r.opened()),
                Map.of(),
                probe.negotiated());
    }

    /**
     * N WebSocket sessions opened on one edge (rate, CPU), held idle (memory per session after a
     * full GC), closed, their queues deleted.
     */
    private static Batch sessionBatch(
            RunContext ctx,
            RunContext.EdgeNode e,
            SslContext tls,
            String name,
            int round,
            int n,
            int concurrency,
            int settleMs,
            String userKind)
            throws Exception {
        System.err.printf("tls round %d: %d WebSocket sessions on the %s%n", round, n, name);
        try (ClientPool pool = pool(ctx, e.host(), e.port(), tls)) {
            Snapshot base = Snapshot.take(0, e.pid(), true, ctx.queueRegex());
            long self = ProcessHandle.current().pid();
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put("edge", e.pid());
            pids.put("broker", ctx.brokerPid);
            List<String> users = ctx.users(userKind, n);
            CpuUse.Measured<ConnectReport> m = CpuUse.during(
                    pids,
                    () -> List.of(self),
                    () -> pool.connectAll(users, Transport.WEBSOCKET, concurrency, Duration.ofSeconds(300)));
            ConnectReport r = m.result();
            Thread.sleep(settleMs);
            Snapshot held = Snapshot.take(r.opened(), e.pid(), true, ctx.queueRegex());
            System.err.printf("  %d open, %.0f/s%n", r.opened(), r.perSecond());
            List<String> queues = pool.sessionQueues();
            pool.closeAll(Duration.ofSeconds(30));
            ctx.deleteQueues(queues);
            Thread.sleep(Math.min(settleMs, 2_000));
            return new Batch(
                    "session",
                    name,
                    round,
                    n,
                    r.opened(),
                    r.failed() + r.notStarted(),
                    r.failures(),
                    r.perSecond(),
                    LatencySummary.of(r.latencyUs()),
                    perConnection(m.seconds(), r.opened()),
                    held.perSession(base),
                    "");
        }
    }

    private static Map<String, Double> perConnection(Map<String, Double> seconds, long opened) {
        Map<String, Double> out = new LinkedHashMap<>();
        seconds.forEach((k, v) -> out.put(k, opened == 0 ? Double.NaN : v * 1000 / opened));
        return out;
    }

    /** SSE on the TLS edge, HTTP/1.1 then HTTP/2 in each round. */
    private static List<SsePass> ssePasses(
            RunContext ctx,
            RunContext.EdgeNode tlsEdge,
            SslContext h1,
            SslContext h2,
            int rounds,
            int n,
            int rate,
            int stepSeconds,
            int perH2,
            int settleMs)
            throws Exception {
        if (n > ctx.sessionsPerProcess(Transport.SSE)) {
            throw new IllegalArgumentException("--sse-sessions " + n + " is more than this process may hold ("
                    + ctx.sessionsPerProcess(Transport.SSE) + "); TLS sessions are not spread over workers");
        }
        List<SsePass> out = new ArrayList<>();
        Schedule schedule = new Schedule(ctx.opts.longValue("seed", 42), n, ctx.opts.ints("sizes", "64,256,1024"));
        int index = 700;
        try (Publisher pub = new Publisher(ctx.amqp(), "lasthop-bench publisher")) {
            for (int round = 1; round <= rounds; round++) {
                if (!ctx.timeLeft(Duration.ofSeconds(2L * (stepSeconds * 2L + 60)))) {
                    ctx.notes.put("tls_sse", "stopped before SSE round " + round + ": the time limit was near");
                    break;
                }
                for (String mode : List.of("HTTP/1.1", "HTTP/2")) {
                    boolean isH2 = mode.equals("HTTP/2");
                    System.err.printf("tls round %d: %d SSE sessions over %s on the TLS edge%n", round, n, mode);
                    List<String> users = ctx.users("t" + round + (isH2 ? "h2u" : "h1u"), n);
                    try (Fleet fleet = ctx.fleet(n, Transport.SSE, tlsEdge)
                            .localCapacity(n)
                            .configureLocal(p -> {
                                p.tls(isH2 ? h2 : h1);
                                if (isH2) {
                                    p.http2(perH2);
                                }
                            })) {
                        Snapshot base = Snapshot.take(0, tlsEdge.pid(), true, ctx.queueRegex());
                        Map<String, Long> pids = new LinkedHashMap<>();
                        pids.put("edge", tlsEdge.pid());
                        pids.put("broker", ctx.brokerPid);
                        CpuUse.Measured<ConnectReport> m = CpuUse.during(
                                pids,
                                fleet::pids,
                                () -> fleet.connect(users, Transport.SSE, 32, Duration.ofSeconds(300)));
                        ConnectReport r = m.result();
                        Thread.sleep(settleMs);
                        Snapshot held = Snapshot.take(r.opened(), tlsEdge.pid(), true, ctx.queueRegex());
                        System.err.printf("  %d open, %.0f/s%n", r.opened(), r.perSecond());
                        Batch connect = new Batch(
                                "sse",
                                mode,
                                round,
                                n,
                                r.opened(),
                                r.failed() + r.notStarted(),
                                r.failures(),
                                r.perSecond(),
                                LatencySummary.of(r.latencyUs()),
                                perConnection(m.seconds(), r.opened()),
                                held.perSession(base),
                                "");
                        String peer = "lasthop-sse-" + (isH2 ? "h2" : "h1");
                        // Unrecorded: one message to every user first, so every session has sent an ack
                        // (over HTTP/1.1, opened its ack connection) before the measured phase.
                        Phase.run(
                                ctx,
                                fleet,
                                pub,
                                peer,
                                PhaseTarget.toUsers(users),
                                index++,
                                -1,
                                0,
                                Schedule.each(n, rate, 64),
                                true,
                                stepSeconds,
                                false,
                                tlsEdge.pid());
                        long acks0 = ackConnections(fleet);
                        Phase ph = Phase.run(
                                ctx,
                                fleet,
                                pub,
                                peer,
                                PhaseTarget.toUsers(users),
                                index++,
                                0,
                                round,
                                schedule.plan(0, round, rate, rate * stepSeconds),
                                false,
                                stepSeconds,
                                false,
                                tlsEdge.pid());
                        long ackConnections = ackConnections(fleet) - acks0;
                        Map<String, Object> stats = new LinkedHashMap<>(fleet.stats());
                        stats.putAll(http2Stats(fleet));
                        out.add(new SsePass(mode, round, connect, ph, ackConnections, stats));
                        List<String> queues = fleet.sessionQueues();
                        fleet.closeAll(Duration.ofSeconds(30));
                        ctx.deleteQueues(queues);
                    }
                    Thread.sleep(Math.min(settleMs, 2_000));
                }
            }
        }
        return out;
    }

    private static long ackConnections(Fleet fleet) throws Exception {
        Object v = fleet.stats().get("ack_connections_opened");
        return v instanceof Number x ? x.longValue() : -1;
    }

    private static Map<String, Object> http2Stats(Fleet fleet) {
        Map<String, Object> m = new LinkedHashMap<>();
        fleet.configureLocal(p -> m.putAll(p.http2Stats()));
        return m;
    }

    /**
     * The handshake loop against a minimal HTTPS server of the harness's own per provider, each a
     * child JVM started once and warmed up, interleaved per round.
     */
    private static List<Batch> providerBatches(
            RunContext ctx,
            File cert,
            File key,
            List<String> providers,
            int rounds,
            int k,
            int concurrency,
            int idle,
            int settleMs,
            SslContext h1)
            throws Exception {
        List<Batch> out = new ArrayList<>();
        Map<String, Server> servers = new LinkedHashMap<>();
        try {
            for (String p : providers) {
                servers.put(p, Server.start(ctx, p, cert, key));
            }
            for (Server s : servers.values()) {
                try (ClientPool pool = pool(ctx, "127.0.0.1", s.port, s.provider.equals("none") ? null : h1)) {
                    probe(ctx, pool, Map.of("server", s.pid), "provider", s.label, 0, Math.min(k, 1_000), concurrency);
                }
                if (idle > 0) {
                    // Unrecorded: loads and compiles the keep-alive path before the first reading.
                    idleBatch(ctx, s, h1, 0, Math.min(idle, 100), concurrency, settleMs);
                }
            }
            for (int round = 1; round <= rounds; round++) {
                if (!ctx.timeLeft(Duration.ofSeconds(60))) {
                    ctx.notes.put(
                            "tls_providers", "stopped before provider round " + round + ": the time limit was near");
                    break;
                }
                for (Server s : servers.values()) {
                    System.err.printf("tls round %d: %d connections to the %s server%n", round, k, s.label);
                    try (ClientPool pool = pool(ctx, "127.0.0.1", s.port, s.provider.equals("none") ? null : h1)) {
                        out.add(probe(ctx, pool, Map.of("server", s.pid), "provider", s.label, round, k, concurrency));
                    }
                    if (idle > 0) {
                        out.add(idleBatch(ctx, s, h1, round, idle, concurrency, settleMs));
                    }
                }
            }
        } finally {
            servers.values().forEach(Server::stop);
        }
        return out;
    }

    /**
     * N connections to a provider's server that each handshake, send one keep-alive {@code GET} and
     * stay open, idle: the server's heap after a full GC and RSS before and while they are open, per
     * connection; then closed.
     */
    private static Batch idleBatch(
            RunContext ctx, Server s, SslContext h1, int round, int n, int concurrency, int settleMs) throws Exception {
        System.err.printf("tls round %d: %d idle connections to the %s server%n", round, n, s.label);
        try (ClientPool pool = pool(ctx, "127.0.0.1", s.port, s.provider.equals("none") ? null : h1)) {
            HandshakeProbe probe = new HandshakeProbe(pool, "/healthz", true);
            Thread.sleep(Math.min(settleMs, 2_000));
            long heap0 = ProcessProbes.heapAfterFullGc(s.pid);
            long rss0 = ProcessProbes.rss(s.pid);
            long self = ProcessHandle.current().pid();
            CpuUse.Measured<ConnectReport> m = CpuUse.during(
                    Map.of("server", s.pid),
                    () -> List.of(self),
                    () -> probe.run(n, concurrency, Duration.ofSeconds(300)));
            ConnectReport r = m.result();
            Thread.sleep(settleMs);
            int open = probe.heldOpen();
            long heap1 = ProcessProbes.heapAfterFullGc(s.pid);
            long rss1 = ProcessProbes.rss(s.pid);
            int stillOpen = probe.heldOpen();
            System.err.printf(
                    "  %d of %d open (%d after the readings): heap %+.1f KiB, RSS %+.1f KiB per connection%n",
                    open,
                    n,
                    stillOpen,
                    open == 0 ? Double.NaN : (heap1 - heap0) / 1024.0 / open,
                    open == 0 ? Double.NaN : (rss1 - rss0) / 1024.0 / open);
            probe.closeHeld(Duration.ofSeconds(30));
            Map<String, Double> mem = new LinkedHashMap<>();
            mem.put("heap", heap0 < 0 || heap1 < 0 || open == 0 ? Double.NaN : (heap1 - heap0) / (double) open);
            mem.put("rss", rss0 < 0 || rss1 < 0 || open == 0 ? Double.NaN : (rss1 - rss0) / (double) open);
            mem.put("heap_before", (double) heap0);
            mem.put("heap_held", (double) heap1);
            mem.put("rss_before", (double) rss0);
            mem.put("rss_held", (double) rss1);
            Map<String, Long> failures = new LinkedHashMap<>(r.failures());
            if (stillOpen < open) {
                failures.put("closed during the readings", (long) (open - stillOpen));
            }
            Thread.sleep(Math.min(settleMs, 2_000));
            return new Batch(
                    "provider-idle",
                    s.label,
                    round,
                    n,
                    open,
                    n - open,
                    failures,
                    r.perSecond(),
                    LatencySummary.of(r.latencyUs()),
                    perConnection(m.seconds(), r.opened()),
                    mem,
                    probe.negotiated());
        }
    }

    /** A {@code tls-server} child JVM. */
    private static final class Server {
        final String provider;
        final String label;
        final Process process;
        final long pid;
        final int port;

        private Server(String provider, String label, Process process, int port) {
            this.provider = provider;
            this.label = label;
            this.process = process;
            this.pid = process.pid();
            this.port = port;
        }

        static Server start(RunContext ctx, String provider, File cert, File key) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            String jar = new File(TlsScenario.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .getPath();
            ProcessBuilder pb = new ProcessBuilder(
                            java,
                            // A fixed heap, all of it resident from the start: the server's RSS then
                            // grows only with memory outside the Java heap (native, direct buffers).
                            "-Xms512m",
                            "-Xmx512m",
                            "-XX:+AlwaysPreTouch",
                            "-cp",
                            jar,
                            "io.lasthop.bench.Main",
                            "tls-server",
                            "--provider",
                            provider,
                            "--cert",
                            cert.getPath(),
                            "--key",
                            key.getPath(),
                            "--port",
                            "0",
                            "--max-seconds",
                            "1800")
                    .redirectError(ctx.logDir
                            .resolve("tls-server-" + provider + ".log")
                            .toFile());
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("ready ")) {
                p.destroyForcibly();
                throw new IllegalStateException("tls-server " + provider + " did not start: " + line + " (see "
                        + ctx.logDir.resolve("tls-server-" + provider + ".log") + ")");
            }
            String[] w = line.split(" ", 4);
            String label =
                    switch (provider) {
                        case "none" -> "server, no TLS";
                        case "jdk" -> "server, JDK provider";
                        default -> "server, " + (w.length > 3 ? w[3] : "OpenSSL") + " (netty-tcnative)";
                    };
            return new Server(provider, label, p, Integer.parseInt(w[1]));
        }

        void stop() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
    }
}
