package io.lasthop.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.bench.Options;
import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.probe.Exec;
import io.lasthop.bench.probe.ProcessProbes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The RabbitMQ nodes bench/run started for {@code BENCH_BROKER=cluster}: three clustered nodes
 * ({@code --cluster-nodes}, their directories {@code --cluster-dirs}, each with the {@code start.sh}
 * that started it) and one alone ({@code --single-node}, the single-node baseline), and the edges'
 * roles ({@code --edge-roles}: {@code cluster-classic}, {@code cluster-quorum}, {@code single-classic},
 * in the order of {@code --edges}). Reads each node's OS pid, memory and queues through rabbitmqctl,
 * kills a node's VM with SIGKILL and starts it again.
 */
final class ClusterNodes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PID_NODE = Pattern.compile("<(.+)\\.\\d+\\.\\d+\\.\\d+>");

    final List<String> nodes;
    final List<String> dirs;
    final String single;
    final String singleUri;
    final List<String> roles;

    ClusterNodes(Options opts) {
        this.nodes = opts.list("cluster-nodes");
        this.dirs = opts.list("cluster-dirs");
        this.single = opts.str("single-node", "");
        this.singleUri = opts.str("single-amqp-uri", "");
        this.roles = opts.list("edge-roles");
        if (nodes.size() != 3 || dirs.size() != 3 || single.isEmpty() || roles.isEmpty()) {
            throw new IllegalArgumentException(
                    "this scenario needs BENCH_BROKER=cluster (bench/run starts the nodes and passes "
                            + "--cluster-nodes, --cluster-dirs, --single-node, --single-amqp-uri, --edge-roles)");
        }
    }

    /** The edge of a role, as bench/run started it. */
    RunContext.EdgeNode edge(RunContext ctx, String role) {
        int i = roles.indexOf(role);
        if (i < 0 || i >= ctx.edges.size()) {
            throw new IllegalArgumentException("no edge with role " + role);
        }
        return ctx.edges.get(i);
    }

    /** A node's Erlang VM: {@code rabbitmqctl eval 'os:getpid().'}; -1 if it does not answer. */
    static long osPid(String node) {
        String out = Exec.run(30, List.of("rabbitmqctl", "-q", "-n", node, "eval", "os:getpid()."));
        if (out == null) {
            return -1;
        }
        try {
            return Long.parseLong(out.trim().replace("\"", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Broker memory of a node, all categories but reserved_unallocated; -1 if unread. */
    static long memory(String node) {
        Map<String, Long> m = BrokerProbes.memory(List.of("-n", node));
        return m == null ? -1 : m.getOrDefault("total", -1L);
    }

    static Map<String, Long> memories(List<String> nodes) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String n : nodes) {
            m.put(n, memory(n));
        }
        return m;
    }

    static Map<String, Double> cpu(Map<String, Long> pids) {
        Map<String, Double> m = new LinkedHashMap<>();
        pids.forEach((k, p) -> m.put(k, p > 0 ? ProcessProbes.cpuSeconds(p) : Double.NaN));
        return m;
    }

    /**
     * The node each queue matching {@code regex} lives on (a classic queue's master, a quorum queue's
     * leader), as node {@code via} lists them. Queues whose node cannot be told are under "unknown".
     */
    static Map<String, String> queueNodes(String via, String regex) {
        String out = Exec.run(
                120,
                List.of("rabbitmqctl", "-q", "-n", via, "list_queues", "--no-table-headers", "name", "pid", "leader"));
        Map<String, String> m = new LinkedHashMap<>();
        if (out == null) {
            return m;
        }
        Pattern names = Pattern.compile(regex);
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 2 || !names.matcher(f[0]).find()) {
                continue;
            }
            String leader = f.length > 2 ? f[2].trim() : "";
            m.put(f[0], leader.contains("@") ? leader : pidNode(f[1]));
        }
        return m;
    }

    /** The node of an Erlang pid as rabbitmqctl prints it, {@code <node@host.creation.id.serial>}. */
    static String pidNode(String pid) {
        Matcher x = PID_NODE.matcher(pid.trim());
        return x.find() ? x.group(1) : "unknown";
    }

    /**
     * Of the consumers on queues matching {@code regex}, how many have their channel on the node the
     * queue lives on (deliveries do not cross the cluster), as node {@code via} lists them.
     */
    static int localConsumers(String via, String regex, Map<String, String> queueNodes) {
        String out = Exec.run(
                120,
                List.of(
                        "rabbitmqctl",
                        "-q",
                        "-n",
                        via,
                        "list_consumers",
                        "--no-table-headers",
                        "queue_name",
                        "channel_pid"));
        if (out == null) {
            return -1;
        }
        Pattern names = Pattern.compile(regex);
        int local = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 2 || !names.matcher(f[0]).find()) {
                continue;
            }
            if (pidNode(f[1]).equals(queueNodes.get(f[0]))) {
                local++;
            }
        }
        return local;
    }

    /** How many of these queues live on each node. */
    static Map<String, Integer> perNode(Map<String, String> queueNodes) {
        Map<String, Integer> m = new LinkedHashMap<>();
        queueNodes.values().forEach(n -> m.merge(n, 1, Integer::sum));
        return m;
    }

    /** Nodes that node {@code via} lists as running. */
    static List<String> running(String via) {
        String out = Exec.run(60, List.of("rabbitmqctl", "-q", "-n", via, "cluster_status", "--formatter", "json"));
        List<String> r = new ArrayList<>();
        if (out == null) {
            return r;
        }
        try {
            for (JsonNode n :
                    JSON.readTree(out.substring(Math.max(0, out.indexOf('{')))).path("running_nodes")) {
                r.add(n.asText());
            }
        } catch (Exception e) {
            System.err.println("cluster_status: " + e);
        }
        return r;
    }

    /** SIGKILL to cluster node i's VM (0-based); returns its pid, once it is gone. */
    long kill9(int i) throws InterruptedException {
        long pid = osPid(nodes.get(i));
        if (pid <= 0) {
            throw new IllegalStateException("no OS pid for " + nodes.get(i));
        }
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        h.destroyForcibly();
        for (int k = 0; k < 200 && h.isAlive(); k++) {
            Thread.sleep(10);
        }
        return pid;
    }

    /**
     * Starts cluster node i again (its start.sh, as the rabbitmq user), waits until it has booted and
     * node 1 lists all three as running; false if that took more than {@code seconds}.
     */
    boolean restart(int i, int seconds) throws InterruptedException {
        String script = dirs.get(i) + "/start.sh";
        List<String> cmd = ProcessHandle.current().info().user().orElse("").equals("root")
                ? List.of("su", "rabbitmq", "-s", "/bin/sh", "-c", "sh " + script)
                : List.of("sh", script);
        Exec.run(60, cmd);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String other = nodes.get(i == 0 ? 1 : 0);
        while (System.nanoTime() < deadline) {
            Exec.run(40, List.of("rabbitmqctl", "-q", "-n", nodes.get(i), "await_startup", "--timeout", "30"));
            if (running(other).size() == 3) {
                return true;
            }
            Thread.sleep(1_000);
        }
        return false;
    }
}
