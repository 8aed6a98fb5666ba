package io.lasthop.bench;

import io.lasthop.bench.amqp.QueueCleanup;
import io.lasthop.bench.client.ClientPool;
import io.lasthop.bench.client.LocalClientGroup;
import io.lasthop.bench.client.SourceAddresses;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.client.Worker;
import io.lasthop.bench.report.ReportWriter;
import io.lasthop.bench.report.Section;
import io.lasthop.bench.scenario.AbuseScenario;
import io.lasthop.bench.scenario.ClusterScenario;
import io.lasthop.bench.scenario.FailoverScenario;
import io.lasthop.bench.scenario.FanoutScenario;
import io.lasthop.bench.scenario.HoldScenario;
import io.lasthop.bench.scenario.IdleScenario;
import io.lasthop.bench.scenario.LayoutScenario;
import io.lasthop.bench.scenario.RateScenario;
import io.lasthop.bench.scenario.RunContext;
import io.lasthop.bench.scenario.StormScenario;
import io.lasthop.bench.scenario.TlsScenario;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar lasthop-bench.jar run SCENARIO… [--option value…]}: runs scenarios against an
 * edge that bench/run started, and writes the report. Also {@code worker} (a child load-generator
 * process) and {@code delete-queues} (names on stdin).
 */
public final class Main {
    static final List<String> IMPLEMENTED = List.of("idle", "rate", "storm", "fanout", "layout");
    /**
     * Implemented, but not for {@code all}, run by name: {@code hold} is too long; {@code abuse}
     * leaves the edge's RSS at its high-water mark (the JVM keeps what it took), which would skew
     * the memory figures of whatever runs after it; {@code tls} needs the TLS edge that
     * {@code BENCH_TLS=1 bench/run} starts.
     */
    static final List<String> BY_NAME_ONLY = List.of("hold", "abuse", "tls", "cluster", "broker-failover");

    static final Map<String, String> NOT_YET = new LinkedHashMap<>();

    static {
        NOT_YET.put(
                "wire",
                "Bytes on the wire per transport for a 15-byte message "
                        + "(the `rate` scenario reports client bytes read per message over the transport it ran).");
    }

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return;
        }
        String cmd = args[0];
        Options opts = new Options(java.util.Arrays.copyOfRange(args, 1, args.length));
        switch (cmd) {
            case "run" -> System.exit(run(opts, String.join(" ", args)));
            case "worker" -> worker(opts);
            case "delete-queues" -> deleteQueues(opts);
            case "tls-server" ->
                io.lasthop.bench.client.TlsServer.serve(
                        opts.str("provider", "jdk"),
                        new java.io.File(opts.str("cert", "")),
                        new java.io.File(opts.str("key", "")),
                        opts.integer("port", 0),
                        opts.integer("threads", 4),
                        opts.integer("max-seconds", 1_800));
            default -> {
                System.err.println("unknown command " + cmd + "\n" + USAGE);
                System.exit(2);
            }
        }
    }

    /**
     * The scenarios a command line names, in order: idle and rate when none; every scenario,
     * implemented or not, for {@code all}.
     */
    static List<String> scenarios(List<String> positional) {
        if (positional.contains("all")) {
            List<String> all = new ArrayList<>(IMPLEMENTED);
            all.addAll(NOT_YET.keySet());
            return all;
        }
        return positional.isEmpty() ? List.of("idle", "rate") : positional;
    }

    static int run(Options opts, String commandLine) throws Exception {
        List<String> scenarios = scenarios(opts.positional());
        for (String s : scenarios) {
            if (!IMPLEMENTED.contains(s) && !BY_NAME_ONLY.contains(s) && !NOT_YET.containsKey(s)) {
                System.err.println("unknown scenario " + s + "; known: " + String.join(", ", IMPLEMENTED) + ", "
                        + String.join(", ", NOT_YET.keySet()) + ", all"
                        + (isTransport(s) ? "; " + s + " is a transport: idle rate --transport " + s : ""));
                return 2;
            }
        }
        RunContext ctx = new RunContext(opts);
        LocalDateTime started = LocalDateTime.now();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("scenarios", String.join(", ", scenarios));
        header.put("started", started.toString());
        header.put("command", commandLine);
        header.put("run id", ctx.runId);
        header.put(
                "edge", ctx.edgeHost + ":" + ctx.edgePort + " (pid " + ctx.edgePid + ", node " + ctx.edgeNodeId + ")");
        header.put("edge settings", opts.str("edge-settings", "not given"));
        header.put("broker pid", ctx.brokerPid);
        header.put("open-file limit of the harness", RunContextAccess.fileLimit());
        header.putAll(ReportWriter.environment());
        List<Section> sections = new ArrayList<>();
        int status = 0;
        for (String s : scenarios) {
            try {
                switch (s) {
                    case "idle" -> sections.add(IdleScenario.run(ctx));
                    case "rate" -> sections.add(RateScenario.run(ctx));
                    case "storm" -> sections.add(StormScenario.run(ctx));
                    case "layout" -> sections.add(LayoutScenario.run(ctx));
                    case "hold" -> sections.add(HoldScenario.run(ctx));
                    case "fanout" -> sections.add(FanoutScenario.run(ctx));
                    case "abuse" -> sections.add(AbuseScenario.run(ctx));
                    case "tls" -> sections.add(TlsScenario.run(ctx));
                    case "cluster" -> sections.add(ClusterScenario.run(ctx));
                    case "broker-failover" -> sections.add(FailoverScenario.run(ctx));
                    default -> sections.add(Section.notImplemented("Scenario `" + s + "`", NOT_YET.get(s)));
                }
            } catch (Exception e) {
                e.printStackTrace();
                sections.add(new Section(
                        "Scenario `" + s + "` failed",
                        "The scenario stopped with an error: `" + e + "`. Its partial figures were not kept.\n",
                        Map.of("error", e.toString()),
                        Map.of()));
                status = 1;
            }
        }
        header.put("finished", LocalDateTime.now().toString());
        header.put("loadavg at end", firstLine("/proc/loadavg"));
        List<String> notes = new ArrayList<>();
        ctx.notes.forEach((k, v) -> notes.add(k + ": " + v));
        notes.add("Not implemented yet, so not measured: " + String.join("; ", NOT_YET.values()));
        String stem = opts.str(
                "stem",
                started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")) + "-"
                        + String.join("+", opts.positional().isEmpty() ? List.of("idle", "rate") : opts.positional())
                        + (ctx.stomp != null ? "+stomp" : ""));
        Path md = ReportWriter.write(
                ctx.outDir, stem, "Lasthop benchmark: " + String.join(", ", scenarios), header, sections, notes);
        System.err.println("report: " + md);
        System.out.println(md);
        return status;
    }

    private static boolean isTransport(String s) {
        try {
            Transport.parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String firstLine(String path) {
        try {
            return java.nio.file.Files.readAllLines(Path.of(path)).get(0);
        } catch (Exception e) {
            return "unknown";
        }
    }

    static void worker(Options opts) throws Exception {
        String edge = opts.str("edge", "127.0.0.1:18080");
        int colon = edge.lastIndexOf(':');
        String secret = System.getenv("LASTHOP_JWT_HS256_SECRET");
        if (secret == null) {
            throw new IllegalArgumentException("LASTHOP_JWT_HS256_SECRET is not set");
        }
        Ledgers ledgers = new Ledgers();
        SourceAddresses sources = new SourceAddresses(
                opts.longValue("total-connections", 0),
                opts.integer("per-address", SourceAddresses.DEFAULT_PER_ADDRESS),
                opts.longValue("source-base", 0));
        ClientPool pool = new ClientPool(
                        edge.substring(0, colon),
                        Integer.parseInt(edge.substring(colon + 1)),
                        secret.getBytes(StandardCharsets.UTF_8),
                        Duration.ofHours(6),
                        ledgers,
                        sources,
                        opts.integer("client-threads", 2))
                .ackDelayMs(opts.integer("ack-delay-ms", 10))
                .grantSubscribe(opts.list("subscribe-grants"));
        Worker.serve(new LocalClientGroup(pool, ledgers));
    }

    static void deleteQueues(Options opts) throws Exception {
        List<String> names = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.isBlank()) {
                names.add(line.trim());
            }
        }
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setUri(opts.str("amqp-uri", "amqp://guest:guest@127.0.0.1:5672/%2F"));
        QueueCleanup cleanup = new QueueCleanup();
        try (var c = f.newConnection("lasthop-bench cleanup")) {
            cleanup.deleteAll(c, names);
        }
        System.err.println("deleted " + cleanup.deleted() + " of " + names.size() + " queues");
    }

    /** Reads the open-file limit for the report header. */
    static final class RunContextAccess {
        static String fileLimit() {
            try {
                for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
                    if (l.startsWith("Max open files")) {
                        return l.substring(26).trim().replaceAll("\\s+", " ");
                    }
                }
            } catch (Exception e) {
                // unknown
            }
            return "unknown";
        }
    }

    static final String USAGE =
            """
            usage: java -jar lasthop-bench.jar run [idle] [rate] [storm] [fanout] [layout] [hold] [abuse] [tls]
                   [cluster] [broker-failover] [all|wire] [options]
                   (normally through bench/run, which builds, starts the edge and cleans up)
              --edge HOST:PORT          edge to load (loopback only)               127.0.0.1:18080
              --edge-pid PID            edge process, for heap/RSS/CPU readings
              --edge-node-id ID         edge node id, to find its AMQP connections
              --amqp-uri URI            broker (loopback only)   amqp://guest:guest@127.0.0.1:5672/%2F
              --run-id ID               names users bench-ID-… and raw queues lasthop-bench.ID.…
              --out DIR                 report directory                           bench/results
              --time-limit SECONDS      the harness stops starting phases after this   900
              --sessions N              idle, storm, layout: 2000; rate, fanout: 1000
              --transport websocket|sse|stream|poll  edge transport (stream: HTTP streaming of NDJSON;
                                        poll: long-polling)                         websocket
              --rounds R                A/B rounds                                  2
              --connect-concurrency C   handshakes in flight                        64
              --checkpoints K           idle: probes during the ramp                4
              --rates A,B,C             rate: messages/s per step                   500,1000,2000
                                        fanout: publishes/s per step                20,50,100
              --topics T                fanout: topics, each with sessions/T subscribers  10
              --until-saturation        rate: keep doubling past the list until the edge saturates
              --max-rate R              rate: ceiling for --until-saturation        16000
              --step-seconds S          rate, fanout: seconds of publishing per phase  8
                                        abuse: seconds of publishing to the bystanders  20
              --sizes A,B,C             rate, fanout: body sizes in bytes, by seed  64,256,1024
              --seed S                  rate, fanout: schedule seed                 42
              --sessions-per-process N  load-generator sessions per JVM (capped by the file limit)
              --peers raw[,stomp]       baselines: raw AMQP, and RabbitMQ Web-STOMP on its own node  raw
              --stomp-node N --stomp-ws HOST:PORT --stomp-amqp-uri URI   that node (bench/run passes them)
              --per-address N           connections per source address 127.0.0.x   25000
              --ack-delay-ms MS         cumulative ack delay (or 32 deliveries)     10
              --storm-concurrency C     storm: resumes in flight                    256
              --storm-sessions N        storm: sessions per peer                    = sessions
              --quiet-seconds S         idle, rate: CPU over a quiet window after the ramp  0 (off)
              --declare-channels K      rate: channels of the raw peer's pipelined declares  8
              --peers-apart             rate: one peer's sessions and queues at a time, not interleaved  off
              --warmup-sessions N       idle, rate: one unrecorded ramp first       200
              --storm-messages M        storm: messages published while away        = sessions
              --storm-rate R            storm: their publish rate                   2000
              --storm-gap-ms MS         storm: pause between the drop and publishing   2000
              --raw-threads T           storm: raw-AMQP setup threads               16
              --layouts K1,K2,…         layout: consumers per channel to compare    1,16,256
              --layout-rate R           layout: msg/s of its delivery phase         2000
              --hold-seconds S          hold: how long N sessions over BENCH_EDGES edges are held   600
              --sample-seconds S        hold: sampling period                       60
              --hold-rate R             hold: rate of the final one-message-per-user check   2000
              --abusers N               abuse: abusive clients, the 5 kinds in turn (and as many idle sessions)  100
              --abuse-kinds K1,K2,…     abuse: websocket-pinger, sse-pinger, poll-pinger, pipelined-gets,
                                        silent-socket                               all five
              --abuse-seconds S         abuse: length of an abuse window            90
              --abuse-ramp-seconds S    abuse: abuse before the bystanders' phase starts  10
              --bystanders B            abuse: WebSocket sessions whose latency is measured  4
              --bystander-rate R        abuse: msg/s published to them              200
              --abuse-tick-ms MS        abuse: period of every abuser's sending     100
              --abuse-pings-per-tick P  abuse: pings per tick per pinger            100
              --abuse-gets-per-tick G   abuse: GETs per tick per pipeliner          1
              --abuse-max-pings P --abuse-max-gets G   abuse: per connection        2000000, 20000
              --abuse-reconnect-ms MS --abuse-max-connections C   abuse: per abuser  1000, 40
              --abuse-get-path PATH     abuse: what the pipeliners ask for          /metrics
              --edges H:P,… --edge-pids P,…   every edge (bench/run passes them)
              --tls-edge I --tls-cert F --tls-key F   tls: which of --edges serves TLS, its PEM files
                                        (BENCH_TLS=1 bench/run passes them)
              --handshakes K            tls: connections per handshake phase        2000
              --handshake-concurrency C tls: connections being opened at once       32
              --tls-idle N              tls: idle WebSocket sessions per edge       1000
              --sse-sessions N          tls: SSE sessions, HTTP/2 against HTTP/1.1  1000
              --sse-rate R              tls: msg/s to random SSE users              500
              --h2-sessions-per-connection S  tls: SSE sessions sharing one HTTP/2 connection  64
              --providers P,…           tls: TLS servers of the harness's own: none, jdk, openssl  none,jdk,openssl
              --provider-idle N         tls: idle connections held per provider server (0: none)  1000
              --cluster-sessions N      cluster: sessions per peer (single node, cluster classic, cluster quorum)  --sessions or 2000
              --cluster-rate R          cluster: msg/s of its fixed-rate phase      1000
              --idle-seconds S          cluster: broker CPU read over S idle seconds  10
              --failover-sessions N     broker-failover: sessions per peer (classic, quorum)  1000
              --failover-rate R         broker-failover: msg/s during the kill      1000
              --failover-seconds S      broker-failover: seconds of publishing      30
              --kill-after S            broker-failover: kill -9 this long after the publish starts  10
              --kill-nodes K1,K2        broker-failover: the node killed for classic, then for quorum
                                        (2 or 3; the publisher is on 1)             3,2
              (cluster and broker-failover need BENCH_BROKER=cluster, which passes --cluster-nodes,
              --cluster-dirs, --single-node, --single-amqp-uri and --edge-roles)
            The secret comes from LASTHOP_JWT_HS256_SECRET, as for the edge.
            """;
}
