package io.lasthop.bench.scenario;

import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.bench.Ledgers;
import io.lasthop.bench.Options;
import io.lasthop.bench.amqp.QueueCleanup;
import io.lasthop.bench.amqp.RawAmqpPeer;
import io.lasthop.bench.client.Fleet;
import io.lasthop.bench.client.SourceAddresses;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.probe.BrokerProbes;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every scenario needs: the edge, the broker, the secret, the limits, the output. */
public final class RunContext {
    public final Options opts;
    public final String runId;
    public final String edgeHost;
    public final int edgePort;
    public final long edgePid;
    public final String edgeNodeId;
    public final byte[] secret;
    public final String amqpUri;
    public final Path outDir;
    public final Path logDir;
    public final long deadlineNanos;
    public final Ledgers ledgers = new Ledgers();
    public final long brokerPid;
    public final Map<String, Object> notes = new LinkedHashMap<>();
    /** Every edge bench/run started ({@code --edges}); the first is {@link #edgeHost}:{@link #edgePort}. */
    public final List<EdgeNode> edges;

    /** One edge process. */
    public record EdgeNode(String host, int port, long pid) {}

    /** The Web-STOMP peer's own broker node, when {@code --peers} names it; else null. */
    public final StompNode stomp;

    /** Where the Web-STOMP peer's broker node listens, as bench/run started it. */
    public record StompNode(String node, String wsHost, int wsPort, String amqpUri, long pid) {
        public List<String> nodeArgs() {
            return List.of("-n", node);
        }
    }

    public RunContext(Options opts) throws Exception {
        this.opts = opts;
        this.runId = opts.str("run-id", "r" + Long.toString(System.currentTimeMillis() / 1000, 36));
        String edge = opts.str("edge", "127.0.0.1:18080");
        int colon = edge.lastIndexOf(':');
        this.edgeHost = edge.substring(0, colon);
        this.edgePort = Integer.parseInt(edge.substring(colon + 1));
        requireLoopback(edgeHost);
        this.edgePid = opts.longValue("edge-pid", -1);
        List<EdgeNode> es = new ArrayList<>();
        String[] list = opts.str("edges", edge).split(",");
        String[] pidList = opts.str("edge-pids", Long.toString(edgePid)).split(",");
        for (int i = 0; i < list.length; i++) {
            int c = list[i].lastIndexOf(':');
            requireLoopback(list[i].substring(0, c));
            es.add(new EdgeNode(
                    list[i].substring(0, c),
                    Integer.parseInt(list[i].substring(c + 1)),
                    i < pidList.length ? Long.parseLong(pidList[i]) : -1));
        }
        this.edges = List.copyOf(es);
        this.edgeNodeId = opts.str("edge-node-id", "");
        String s = System.getenv("LASTHOP_JWT_HS256_SECRET");
        if (s == null || s.length() < 32) {
            throw new IllegalArgumentException(
                    "set LASTHOP_JWT_HS256_SECRET (at least 32 bytes), the secret the edge was started with");
        }
        this.secret = s.getBytes(StandardCharsets.UTF_8);
        this.amqpUri = opts.str("amqp-uri", "amqp://guest:guest@127.0.0.1:5672/%2F");
        requireLoopback(URI.create(amqpUri).getHost());
        this.outDir = Path.of(opts.str("out", "bench/results"));
        this.logDir = Path.of(opts.str("log-dir", "bench/target/logs"));
        Files.createDirectories(outDir);
        Files.createDirectories(logDir);
        this.deadlineNanos = System.nanoTime()
                + Duration.ofSeconds(opts.integer("time-limit", 900)).toNanos();
        // bench/run's private broker (BENCH_BROKER=private), which the edges use instead of the default node.
        BrokerProbes.useNode(opts.str("broker-node", null));
        this.brokerPid = BrokerProbes.pid(List.of());
        List<String> peers = List.of(opts.str("peers", "raw").split(","));
        for (String p : peers) {
            if (!p.equals("raw") && !p.equals("stomp")) {
                throw new IllegalArgumentException("unknown peer " + p + " (raw, stomp)");
            }
        }
        if (peers.contains("stomp")) {
            String node = opts.str("stomp-node", null);
            String ws = opts.str("stomp-ws", null);
            String uri = opts.str("stomp-amqp-uri", null);
            if (node == null || ws == null || uri == null) {
                throw new IllegalArgumentException("--peers stomp needs --stomp-node, --stomp-ws and --stomp-amqp-uri "
                        + "(bench/run starts that broker node and passes them)");
            }
            int c = ws.lastIndexOf(':');
            requireLoopback(ws.substring(0, c));
            requireLoopback(URI.create(uri).getHost());
            List<String> nodeArgs = List.of("-n", node);
            this.stomp = new StompNode(
                    node, ws.substring(0, c), Integer.parseInt(ws.substring(c + 1)), uri, BrokerProbes.pid(nodeArgs));
        } else {
            this.stomp = null;
        }
    }

    public ConnectionFactory stompAmqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(stomp.amqpUri());
        f.setAutomaticRecoveryEnabled(false);
        return f;
    }

    /** Queue prefix of the Web-STOMP peer (on its own node). */
    public String stompQueuePrefix() {
        return "lasthop-bench." + runId + ".stomp.";
    }

    public io.lasthop.bench.client.StompPeer stompPeer(long sessions) throws Exception {
        return new io.lasthop.bench.client.StompPeer(
                stompAmqp(),
                stomp.wsHost(),
                stomp.wsPort(),
                ledgers,
                stompQueuePrefix(),
                sessions,
                opts.integer("per-address", SourceAddresses.DEFAULT_PER_ADDRESS),
                ackDelayMs());
    }

    static void requireLoopback(String host) throws Exception {
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            throw new IllegalArgumentException("benchmark traffic goes to loopback only, not " + host);
        }
    }

    public ConnectionFactory amqp() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(amqpUri);
        f.setAutomaticRecoveryEnabled(false);
        f.setRequestedChannelMax(4095);
        return f;
    }

    /** The edge transport of the Lasthop peer ({@code --transport}, websocket by default). */
    public Transport transport() {
        return Transport.parse(opts.str("transport", Transport.WEBSOCKET.wireName));
    }

    /** How long a phase waits for its last deliveries ({@code --drain-seconds}). */
    public Duration drainLimit() {
        return Duration.ofSeconds(opts.integer("drain-seconds", 15));
    }

    public boolean timeLeft(Duration needed) {
        return System.nanoTime() + needed.toNanos() < deadlineNanos;
    }

    public List<String> users(String kind, int n) {
        List<String> u = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            u.add("bench-" + runId + "-" + kind + i);
        }
        return u;
    }

    /** Queue prefix of the raw-AMQP peer; bench/run deletes what is left under it. */
    public String rawQueuePrefix() {
        return "lasthop-bench." + runId + ".raw.";
    }

    /**
     * AMQP connections of a raw-AMQP peer of {@code sessions} consumers: about 1,800 channels
     * each, at least 4, as bench/run sizes the edge's.
     */
    static int rawConnections(int sessions) {
        return Math.max(4, (sessions + 1_799) / 1_800);
    }

    /**
     * A raw-AMQP peer for {@code sessions} consumers, acking like the clients, its queues named
     * {@link #rawQueuePrefix()} + {@code group} + index.
     */
    public RawAmqpPeer rawPeer(int sessions, String group) throws Exception {
        return new RawAmqpPeer(amqp(), rawConnections(sessions), ledgers, rawQueuePrefix() + group)
                .ackDelayMs(ackDelayMs());
    }

    /** The clients' (and the raw peer's) ack batching delay. */
    public long ackDelayMs() {
        return opts.integer("ack-delay-ms", (int) io.lasthop.bench.client.AckBatcher.DELAY_MS);
    }

    /** Matches the names of every queue of this run: edge session queues and raw-AMQP queues. */
    public String queueRegex() {
        return "^(lasthop\\.s\\.bench-" + runId + "-|lasthop-bench\\." + runId + "\\.)";
    }

    /** Sessions one process may hold: its file limit, less room for jars, logs and AMQP. */
    public int sessionsPerProcess(Transport t) {
        long limit = openFileLimit();
        int byLimit = (int) Math.max(100, (limit - 1_500) / t.socketsPerSession());
        return Math.min(opts.integer("sessions-per-process", 18_000), byLimit);
    }

    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (Exception e) {
            // unknown
        }
        return 1024;
    }

    public Fleet fleet(long sessions, Transport t) {
        return fleet(sessions, t, List.of());
    }

    /** A fleet whose sessions' tokens allow {@code sub} to these topic patterns, in every process. */
    public Fleet fleet(long sessions, Transport t, List<String> subscribeGrants) {
        return fleet(sessions, t, subscribeGrants, edges.get(0));
    }

    /** A fleet of load-generator processes for the sessions of one edge. */
    public Fleet fleet(long sessions, Transport t, EdgeNode edge) {
        return fleet(sessions, t, List.of(), edge);
    }

    private Fleet fleet(long sessions, Transport t, List<String> subscribeGrants, EdgeNode edge) {
        String edgeHost = edge.host();
        int edgePort = edge.port();
        List<String> base = new ArrayList<>(
                List.of("--edge", edgeHost + ":" + edgePort, "--ack-delay-ms", Long.toString(ackDelayMs())));
        if (!subscribeGrants.isEmpty()) {
            base.addAll(List.of("--subscribe-grants", String.join(",", subscribeGrants)));
        }
        Fleet.WorkerSpec spec = new Fleet.WorkerSpec(List.of("-Xmx1g", "-XX:+UseParallelGC"), base, logDir);
        return new Fleet(
                edgeHost,
                edgePort,
                secret,
                Duration.ofHours(6),
                ledgers,
                sessions,
                t.socketsPerSession(),
                sessionsPerProcess(t),
                opts.integer("per-address", SourceAddresses.DEFAULT_PER_ADDRESS),
                opts.integer("client-threads", 2),
                ackDelayMs(),
                subscribeGrants,
                spec);
    }

    /**
     * Deletes queues by name over one channel (re-opened after an error); returns how many went. A
     * broker busy with tens of thousands of channels closing may not take a connection at once:
     * connecting is retried for a minute.
     */
    public int deleteQueues(List<String> names) {
        try {
            return deleteQueues(amqp(), names);
        } catch (Exception e) {
            System.err.println("cleanup: " + e);
            return 0;
        }
    }

    /** {@link #deleteQueues(List)} on the broker of {@code factory}. */
    public int deleteQueues(ConnectionFactory factory, List<String> names) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        com.rabbitmq.client.Connection c = null;
        while (c == null) {
            try {
                ConnectionFactory f = factory.clone();
                f.setHandshakeTimeout(30_000);
                c = f.newConnection("lasthop-bench cleanup");
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    System.err.println("cleanup: no connection to the broker: " + e);
                    return 0;
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
        QueueCleanup cleanup = new QueueCleanup();
        try (com.rabbitmq.client.Connection conn = c) {
            cleanup.deleteAll(conn, names);
        } catch (Exception e) {
            System.err.println("cleanup: " + e);
        }
        return cleanup.deleted();
    }
}
