package io.lasthop.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A RabbitMQ cluster of the test's own: N nodes on this machine, on free 127.0.0.1 ports, in a
 * temporary folder, clustered with {@code rabbitmqctl join_cluster}; never the shared broker on 5672.
 *
 * <p>Nodes are numbered from 1, as in "node 1 of 3": {@code kill9(1)} kills the first node. An index
 * out of 1..{@link #size()} is an error, so that a 0-based habit fails loudly.
 *
 * <p>Each node is named {@code lasthop-c<amqp port>@localhost}, has its own AMQP port, distribution
 * port, data, log and config files, and runs in the foreground as a child of this JVM, as the user
 * this JVM runs as. The nodes share an Erlang cookie of their own ({@code HOME} of the cluster's own,
 * {@code .erlang.cookie} mode 400), which every rabbitmqctl call of this class uses too (same
 * {@code HOME}); see {@link RabbitNode}.
 *
 * <p>Start: the nodes boot in parallel; each joins node 1 ({@code stop_app}, {@code join_cluster},
 * {@code start_app}; the {@code join_cluster} calls one at a time) as soon as it and node 1 are up;
 * then {@code cluster_status} must list every node as running. The time it took is printed and
 * {@link #startupTime()}.
 *
 * <p>Clean-up: {@link #close()} stops every node ({@code rabbitmqctl stop}, SIGKILL if that fails or
 * takes too long), waits until every VM is gone and deletes the folder. A JVM shutdown hook does the
 * same (with SIGKILL at once) when a test never calls close, and a watchdog process SIGKILLs the
 * nodes and deletes the folder when this JVM dies without running its hooks (kill -9, a crash):
 * it waits for the end of a pipe from this JVM, which only the JVM's exit closes. Every wait is
 * bounded: a start gives up after about 3 minutes, close after about 40 s.
 */
public final class PrivateCluster implements AutoCloseable {
    private static final Duration START = Duration.ofMinutes(3);
    private static final Duration BOOT = Duration.ofSeconds(90);
    private static final Duration CTL = Duration.ofSeconds(60);
    private static final Duration SEEN = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A pid as rabbitmqctl's table output prints it: {@code <node@host.creation.id.serial>}. */
    private static final Pattern PID = Pattern.compile("<(.+)\\.\\d+\\.\\d+\\.\\d+>");

    private final Path dir;
    private final List<RabbitNode> nodes;
    private final Process watchdog;
    private final Thread hook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object joining = new Object();
    private volatile Duration startup = Duration.ZERO;
    private volatile String version = "";

    /**
     * Where a queue lives and what it holds, as rabbitmqctl list_queues reports it.
     *
     * @param type      "classic", "quorum", "stream"; RabbitMQ 3.10 prints "rabbit_classic_queue" for a
     *                  classic queue whose node is down
     * @param node      index of the node it lives on: its leader (quorum) or master (classic); 0 if that
     *                  node is not one of this cluster's
     * @param state     "running", or e.g. "down" for a classic queue whose node is down
     * @param members   quorum queue members' node indexes (empty for a classic queue)
     * @param online    quorum queue members that are up
     */
    public record QueueInfo(
            String name,
            String type,
            int node,
            String state,
            long messages,
            int consumers,
            List<Integer> members,
            List<Integer> online) {
        public boolean running() {
            return state.equals("running");
        }
    }

    /**
     * A consumer: the node its channel is on (the node the consuming connection is attached to) and
     * the node its queue lives on (leader for a quorum queue, master for a classic one).
     */
    public record ConsumerInfo(String queue, String tag, int channelNode, int queueNode) {
        /** Deliveries do not cross the cluster between queue and consumer. */
        public boolean local() {
            return channelNode == queueNode;
        }
    }

    private PrivateCluster(Path dir, List<RabbitNode> nodes) throws IOException {
        this.dir = dir;
        this.nodes = nodes;
        this.watchdog = startWatchdog(dir);
        this.hook = new Thread(this::closeNow, "PrivateCluster shutdown " + dir.getFileName());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** A 3-node cluster. */
    public static PrivateCluster start() throws IOException, InterruptedException {
        return start(3);
    }

    /** An N-node cluster; started again once on fresh ports when a port was taken in between. */
    public static PrivateCluster start(int size) throws IOException, InterruptedException {
        return start(size, "");
    }

    /** @param extraConfig rabbitmq.conf lines for every node, e.g. {@code channel_max = 8\n} */
    public static PrivateCluster start(int size, String extraConfig) throws IOException, InterruptedException {
        if (size < 1 || size > 9) {
            throw new IllegalArgumentException("1 to 9 nodes, not " + size);
        }
        try {
            return startOnce(size, extraConfig);
        } catch (AssertionError e) {
            if (!String.valueOf(e.getMessage()).contains("eaddrinuse")) {
                throw e;
            }
            System.out.println("PrivateCluster: a port was taken while the nodes started; again on other ports");
            return startOnce(size, extraConfig);
        }
    }

    private static PrivateCluster startOnce(int size, String extraConfig) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("lasthop-cluster");
        Path home;
        List<RabbitNode> nodes = new ArrayList<>();
        try {
            home = RabbitNode.newHome(dir);
            List<Integer> ports = RabbitNode.freePorts(2 * size);
            for (int i = 1; i <= size; i++) {
                RabbitNode n = new RabbitNode(
                        i, "lasthop-c", ports.get(i - 1), ports.get(size + i - 1), dir.resolve("node" + i), home);
                n.prepare(extraConfig);
                nodes.add(n);
            }
        } catch (IOException | RuntimeException e) {
            RabbitNode.deleteTree(dir);
            throw e;
        }
        PrivateCluster c;
        try {
            c = new PrivateCluster(dir, nodes);
        } catch (IOException | RuntimeException e) {
            RabbitNode.deleteTree(dir);
            throw e;
        }
        ExecutorService pool = Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, "PrivateCluster start");
            t.setDaemon(true);
            return t;
        });
        try {
            for (RabbitNode n : nodes) {
                n.launch();
            }
            RabbitNode first = nodes.get(0);
            long[] bootedAt = new long[size];
            Timeline timeline = new Timeline(t0);
            Future<?> firstUp = pool.submit(() -> {
                first.awaitBooted(BOOT, timeline);
                bootedAt[0] = System.nanoTime();
                return null;
            });
            List<Future<?>> all = new ArrayList<>(List.of(firstUp));
            for (RabbitNode n : nodes.subList(1, size)) {
                all.add(pool.submit(() -> {
                    n.awaitBooted(BOOT, timeline);
                    bootedAt[n.index - 1] = System.nanoTime();
                    firstUp.get(BOOT.toSeconds(), TimeUnit.SECONDS);
                    n.ctl(CTL, "stop_app");
                    timeline.add(n, "stop_app");
                    // Joins one at a time: each changes the cluster's schema on node 1.
                    synchronized (c.joining) {
                        n.ctl(CTL, "join_cluster", first.name);
                        timeline.add(n, "join_cluster");
                    }
                    n.ctl(CTL, "start_app");
                    timeline.add(n, "start_app");
                    return null;
                }));
            }
            long deadline = t0 + START.toNanos();
            for (Future<?> f : all) {
                await(f, deadline);
            }
            long joined = System.nanoTime();
            JsonNode status = c.awaitRunning(1, c.nodeNames(), Set.of());
            c.version = versionOf(status, first.name);
            c.startup = Duration.ofNanos(System.nanoTime() - t0);
            long booted = 0;
            for (long b : bootedAt) {
                booted = Math.max(booted, b - t0);
            }
            System.out.printf(
                    "PrivateCluster: %d nodes of RabbitMQ %s (%s) clustered in %d ms "
                            + "(last node booted after %d ms, joins done after %d ms); folder %s%n  %s%n",
                    size,
                    c.version,
                    c.addresses(),
                    c.startup.toMillis(),
                    TimeUnit.NANOSECONDS.toMillis(booted),
                    TimeUnit.NANOSECONDS.toMillis(joined - t0),
                    dir,
                    timeline);
            return c;
        } catch (AssertionError | IOException | InterruptedException | RuntimeException e) {
            StringBuilder logs = new StringBuilder();
            for (RabbitNode n : nodes) {
                logs.append(n.diagnostics());
            }
            c.close();
            if (e instanceof AssertionError) {
                throw new AssertionError(e.getMessage() + "\n" + logs, e);
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    /** When each step of a start ended, in ms from the start: printed, to see where the time goes. */
    static final class Timeline {
        private final long t0;
        private final List<String> events = new ArrayList<>();

        Timeline(long t0) {
            this.t0 = t0;
        }

        synchronized void add(RabbitNode n, String what) {
            events.add(n.index + ":" + what + "@" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }

        @Override
        public synchronized String toString() {
            return String.join(" ", events);
        }
    }

    private static void await(Future<?> f, long deadline) throws InterruptedException, IOException {
        try {
            f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("the cluster did not start in time", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AssertionError a) {
                throw a;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new AssertionError("starting the cluster failed", cause);
        }
    }

    // ---------------------------------------------------------------- addresses

    public int size() {
        return nodes.size();
    }

    /** The Erlang node name of node i, e.g. {@code lasthop-c40123@localhost}. */
    public String nodeName(int i) {
        return node(i).name;
    }

    /** The AMQP port of node i on 127.0.0.1. */
    public int port(int i) {
        return node(i).port;
    }

    /** {@code amqp://guest:guest@127.0.0.1:<port of node i>/%2F} */
    public String uri(int i) {
        return uri("127.0.0.1:" + port(i));
    }

    /** An amqp URI for one address ({@code host:port}), guest/guest, default virtual host. */
    public static String uri(String hostPort) {
        return "amqp://guest:guest@" + hostPort + "/%2F";
    }

    /** One URI per node, node 1 first. */
    public List<String> uris() {
        return nodes.stream().map(n -> uri(n.index)).toList();
    }

    /** {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}, as amqp-client's {@code Address.parseAddresses} takes it. */
    public String addresses() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port).collect(Collectors.joining(","));
    }

    /** The broker's version, as node 1 reported it at start (e.g. {@code 3.10.8}). */
    public String version() {
        return version;
    }

    /** From the start of {@link #start} until cluster_status listed every node as running. */
    public Duration startupTime() {
        return startup;
    }

    /** The OS pid of node i's Erlang VM (beam.smp). */
    public long osPid(int i) {
        return node(i).osPid();
    }

    /** Whether node i's VM runs (it may still be booting). */
    public boolean isUp(int i) {
        return node(i).launcherAlive();
    }

    /** The node index of an Erlang node name of this cluster, or 0 when it is none of them. */
    public int indexOf(String nodeName) {
        for (RabbitNode n : nodes) {
            if (n.name.equals(nodeName)) {
                return n.index;
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- failures

    /**
     * SIGKILL to node i's Erlang VM (kill -9 of beam.smp): no goodbye to its peers or clients.
     * Returns once the VM is gone and the other running nodes' cluster_status no longer lists it
     * as running.
     */
    public void kill9(int i) throws IOException, InterruptedException {
        RabbitNode n = node(i);
        if (!n.launcherAlive()) {
            throw new IllegalStateException("node " + i + " is not running");
        }
        long t0 = System.nanoTime();
        n.kill9();
        Set<String> others = new HashSet<>(runningNames());
        if (!others.isEmpty()) {
            awaitRunning(any(others), others, Set.of(n.name));
        }
        System.out.printf(
                "PrivateCluster: node %d (%s) killed; seen down by the others after %d ms%n",
                i, n.name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Starts node i again after {@link #kill9}: same name, ports and data. Returns once it has booted
     * and cluster_status on it lists every running node of the cluster, itself included.
     */
    public void restart(int i) throws IOException, InterruptedException {
        RabbitNode n = node(i);
        if (n.launcherAlive()) {
            throw new IllegalStateException("node " + i + " is running");
        }
        long t0 = System.nanoTime();
        n.launch();
        try {
            n.awaitBooted(BOOT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + n.diagnostics(), e);
        }
        awaitRunning(i, new HashSet<>(runningNames()), Set.of());
        System.out.printf(
                "PrivateCluster: node %d (%s) restarted and rejoined in %d ms%n",
                i, n.name, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    // ---------------------------------------------------------------- rabbitmqctl

    /** {@code rabbitmqctl -n <node i> args...}, with a 60 s limit; its output, or an AssertionError. */
    public String rabbitmqctl(int i, String... args) throws IOException, InterruptedException {
        return node(i).ctl(CTL, args);
    }

    public String rabbitmqctl(int i, Duration timeout, String... args) throws IOException, InterruptedException {
        return node(i).ctl(timeout, args);
    }

    /** cluster_status as node i sees it (JSON). */
    public JsonNode clusterStatus(int i) throws IOException, InterruptedException {
        return JSON.readTree(rabbitmqctl(i, "cluster_status", "--formatter", "json"));
    }

    /** The node names node i lists as running. */
    public Set<String> runningNodes(int i) throws IOException, InterruptedException {
        return running(clusterStatus(i));
    }

    /**
     * Every queue of the default virtual host, as a running node lists them: the node a queue lives
     * on is the node of its leader for a quorum queue ({@code leader} column), else the node of its
     * process ({@code pid} column; the master of a classic queue). For a classic queue whose node is
     * down, that dead node, with state "down".
     */
    public List<QueueInfo> queues() throws IOException, InterruptedException {
        String out = rabbitmqctl(
                any(runningNames()),
                "list_queues",
                "-q",
                "--no-table-headers",
                "name",
                "type",
                "pid",
                "leader",
                "state",
                "messages",
                "consumers",
                "members",
                "online");
        List<QueueInfo> queues = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 9) {
                throw new AssertionError("unexpected list_queues line: " + line);
            }
            String host = !f[3].isBlank() ? f[3].trim() : pidNode(f[2]);
            queues.add(new QueueInfo(
                    f[0],
                    f[1],
                    indexOf(host),
                    f[4],
                    parseLong(f[5]),
                    (int) parseLong(f[6]),
                    nodeList(f[7]),
                    nodeList(f[8])));
        }
        return queues;
    }

    /** The queue of that name in the default virtual host, if some node lists it. */
    public Optional<QueueInfo> queue(String name) throws IOException, InterruptedException {
        return queues().stream().filter(q -> q.name().equals(name)).findFirst();
    }

    /** The index of the node a queue lives on (leader or master); an AssertionError if there is no such queue. */
    public int queueNode(String name) throws IOException, InterruptedException {
        return queue(name)
                .orElseThrow(() -> new AssertionError("no queue " + name))
                .node();
    }

    /** Node index to the number of queues living on it, every node listed (0 for none). */
    public Map<Integer, Integer> queuesPerNode() throws IOException, InterruptedException {
        Map<Integer, Integer> counts = zeroes();
        for (QueueInfo q : queues()) {
            counts.merge(q.node(), 1, Integer::sum);
        }
        return counts;
    }

    /** Every consumer of the default virtual host, with the node of its channel and of its queue. */
    public List<ConsumerInfo> consumers() throws IOException, InterruptedException {
        Map<String, Integer> queueNodes = new LinkedHashMap<>();
        for (QueueInfo q : queues()) {
            queueNodes.put(q.name(), q.node());
        }
        String out = rabbitmqctl(
                any(runningNames()),
                "list_consumers",
                "-q",
                "--no-table-headers",
                "queue_name",
                "channel_pid",
                "consumer_tag");
        List<ConsumerInfo> consumers = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 3) {
                throw new AssertionError("unexpected list_consumers line: " + line);
            }
            consumers.add(new ConsumerInfo(f[0], f[2], indexOf(pidNode(f[1])), queueNodes.getOrDefault(f[0], 0)));
        }
        return consumers;
    }

    /** Node index to the number of consumers whose channel is on it, every node listed (0 for none). */
    public Map<Integer, Integer> consumersPerNode() throws IOException, InterruptedException {
        Map<Integer, Integer> counts = zeroes();
        for (ConsumerInfo c : consumers()) {
            counts.merge(c.channelNode(), 1, Integer::sum);
        }
        return counts;
    }

    private Map<Integer, Integer> zeroes() {
        Map<Integer, Integer> counts = new LinkedHashMap<>();
        for (RabbitNode n : nodes) {
            counts.put(n.index, 0);
        }
        return counts;
    }

    private static String pidNode(String pid) {
        Matcher m = PID.matcher(pid.trim());
        if (!m.matches()) {
            throw new AssertionError("not a pid as rabbitmqctl prints it: " + pid);
        }
        return m.group(1);
    }

    /** {@code [a@h, b@h]} as rabbitmqctl prints a list of nodes, to node indexes. */
    private List<Integer> nodeList(String s) {
        String inner = s.trim().replaceAll("^\\[|\\]$", "").trim();
        if (inner.isEmpty()) {
            return List.of();
        }
        List<Integer> indexes = new ArrayList<>();
        for (String n : inner.split(",")) {
            indexes.add(indexOf(n.trim()));
        }
        indexes.sort(null);
        return List.copyOf(indexes);
    }

    private static long parseLong(String s) {
        s = s.trim();
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }

    // ---------------------------------------------------------------- cluster state

    private List<String> nodeNames() {
        return nodes.stream().map(n -> n.name).toList();
    }

    private List<String> runningNames() {
        return nodes.stream().filter(RabbitNode::launcherAlive).map(n -> n.name).toList();
    }

    private int any(java.util.Collection<String> names) {
        if (names.isEmpty()) {
            throw new IllegalStateException("no node of the cluster is running");
        }
        return names.stream().mapToInt(this::indexOf).min().orElseThrow();
    }

    private static Set<String> running(JsonNode status) {
        Set<String> running = new HashSet<>();
        status.path("running_nodes").forEach(n -> running.add(n.asText()));
        return running;
    }

    /** Polls node via's cluster_status until every one of up is running and none of down is. */
    private JsonNode awaitRunning(int via, java.util.Collection<String> up, Set<String> down)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SEEN.toNanos();
        for (; ; ) {
            JsonNode status = clusterStatus(via);
            Set<String> running = running(status);
            if (running.containsAll(up) && down.stream().noneMatch(running::contains)) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + via + " sees running " + running + ", waited for " + up
                        + " running and " + down + " down");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private static String versionOf(JsonNode status, String node) {
        return status.path("versions").path(node).path("rabbitmq_version").asText("");
    }

    private RabbitNode node(int i) {
        if (i < 1 || i > nodes.size()) {
            throw new IllegalArgumentException("nodes are numbered 1 to " + nodes.size() + ", not " + i);
        }
        return nodes.get(i - 1);
    }

    // ---------------------------------------------------------------- clean-up

    /**
     * Kills the nodes and deletes the folder if this JVM dies without closing the cluster: blocks on
     * its stdin, a pipe whose other end only this JVM holds (Java closes other descriptors in its
     * children), and acts on end of file. Only pids the nodes wrote to their pid files, and only if
     * they are beam.smp processes.
     */
    private static Process startWatchdog(Path dir) throws IOException {
        String script = "trap '' INT HUP TERM; cat >/dev/null; "
                + "for f in \"$1\"/node*/pid; do p=$(cat \"$f\" 2>/dev/null) || continue; "
                + "[ \"$(cat /proc/$p/comm 2>/dev/null)\" = beam.smp ] && kill -9 \"$p\"; done; "
                + "sleep 2; rm -rf \"$1\"";
        return new ProcessBuilder("/bin/sh", "-c", script, "lasthop-cluster-watchdog", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(new File("/dev/null"))
                .start();
    }

    /** Stops every node (rabbitmqctl stop, SIGKILL after 20 s), waits for them and deletes the folder. */
    @Override
    public void close() throws InterruptedException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs closeNow
        }
        // The watchdog would kill the nodes from under the graceful stop.
        watchdog.destroyForcibly();
        long t0 = System.nanoTime();
        List<Thread> stops = new ArrayList<>();
        for (RabbitNode n : nodes) {
            Thread t = new Thread(
                    () -> {
                        try {
                            n.stop(STOP);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "PrivateCluster stop " + n.name);
            t.setDaemon(true);
            t.start();
            stops.add(t);
        }
        long deadline = System.nanoTime() + STOP.plusSeconds(15).toNanos();
        for (Thread t : stops) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        for (RabbitNode n : nodes) {
            n.kill9();
        }
        deleteFolder();
        System.out.printf(
                "PrivateCluster: %d nodes stopped and removed in %d ms%n",
                nodes.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** The shutdown hook: SIGKILL at once (the data is thrown away), bounded waits. */
    private void closeNow() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (RabbitNode n : nodes) {
                n.kill9();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.destroyForcibly();
        deleteFolder();
    }

    private void deleteFolder() {
        try {
            RabbitNode.deleteTree(dir);
        } catch (IOException e) {
            System.out.println("PrivateCluster: could not delete " + dir + ": " + e);
        }
    }
}
