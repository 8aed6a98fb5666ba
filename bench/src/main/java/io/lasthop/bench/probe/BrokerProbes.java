package io.lasthop.bench.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readings of a RabbitMQ node through its own tools, {@code rabbitmq-diagnostics} and
 * {@code rabbitmqctl}: memory by category, the OS pid, a client's connections and channels, and
 * the memory of some queues. {@code nodeArgs} ({@code -n NODE}) name a node; empty, the node the
 * edges use ({@link #useNode}). A reading that fails returns null, or -1 for the pid.
 */
public final class BrokerProbes {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The node the edges use, when it is not the machine's default one (bench/run's private broker). */
    private static volatile List<String> mainNode = List.of();

    private BrokerProbes() {}

    /** Readings given no node read {@code node} from now on (null or empty: the default node). */
    public static void useNode(String node) {
        mainNode = node == null || node.isEmpty() ? List.of() : List.of("-n", node);
    }

    private static List<String> node(List<String> nodeArgs) {
        return nodeArgs.isEmpty() ? mainNode : nodeArgs;
    }

    private static List<String> command(String tool, List<String> nodeArgs, String... args) {
        List<String> cmd = new ArrayList<>(List.of(tool, "-q"));
        cmd.addAll(node(nodeArgs));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * {@code rabbitmq-diagnostics memory_breakdown --unit bytes}: bytes by category, plus
     * {@code total} (every category but {@code reserved_unallocated}). Null if it failed.
     */
    public static Map<String, Long> memory(List<String> nodeArgs) {
        String out = Exec.run(60, command("rabbitmq-diagnostics", nodeArgs, "memory_breakdown", "--unit", "bytes"));
        return out == null ? null : parseMemoryBreakdown(out);
    }

    static Map<String, Long> parseMemoryBreakdown(String out) {
        Map<String, Long> m = new LinkedHashMap<>();
        long total = 0;
        Pattern line = Pattern.compile("^\\s*([a-z_]+): (\\d+) bytes");
        for (String l : out.split("\n")) {
            Matcher x = line.matcher(l);
            if (x.find()) {
                long v = Long.parseLong(x.group(2));
                m.put(x.group(1), v);
                if (!x.group(1).equals("reserved_unallocated")) {
                    total += v;
                }
            }
        }
        if (m.isEmpty()) {
            return null;
        }
        m.put("total", total);
        return m;
    }

    /** The broker's OS process id, from {@code rabbitmq-diagnostics status}; -1 if unknown. */
    public static long pid(List<String> nodeArgs) {
        String out = Exec.run(60, command("rabbitmq-diagnostics", nodeArgs, "status"));
        if (out == null) {
            return -1;
        }
        Matcher m = Pattern.compile("OS PID: (\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** AMQP connections and channels whose client-provided name contains {@code marker}. */
    public record AmqpUse(int connections, int channels) {}

    /** The connections and channels of the edges' node whose client-provided name holds {@code marker}. */
    public static AmqpUse amqpUse(String marker) {
        String conns = Exec.run(
                60,
                command(
                        "rabbitmqctl",
                        List.of(),
                        "list_connections",
                        "pid",
                        "client_properties",
                        "--formatter",
                        "json"));
        // Channel counts of list_connections are statistics, refreshed every few seconds; count the
        // channels themselves instead.
        String chans =
                Exec.run(120, command("rabbitmqctl", List.of(), "list_channels", "connection", "--formatter", "json"));
        if (conns == null || chans == null) {
            return null;
        }
        try {
            return parseAmqpUse(JSON.readTree(conns), JSON.readTree(chans), marker);
        } catch (IOException e) {
            return null;
        }
    }

    static AmqpUse parseAmqpUse(JsonNode connections, JsonNode channels, String marker) {
        Set<String> pids = new HashSet<>();
        for (JsonNode c : connections) {
            if (c.path("client_properties").toString().contains(marker)) {
                pids.add(c.path("pid").asText());
            }
        }
        int chans = 0;
        for (JsonNode ch : channels) {
            if (pids.contains(ch.path("connection").asText())) {
                chans++;
            }
        }
        return new AmqpUse(pids.size(), chans);
    }

    /**
     * Memory of the queue processes whose names match {@code regex}, summed, and how many there
     * are ({@code rabbitmqctl list_queues name memory}). Unlike the broker-wide breakdown, this is
     * not disturbed by other users of a shared broker.
     */
    public record QueueMemory(long queues, long bytes) {}

    public static QueueMemory queueMemory(List<String> nodeArgs, String regex) {
        String out = Exec.run(120, command("rabbitmqctl", nodeArgs, "list_queues", "name", "memory"));
        return out == null ? null : parseQueueMemory(out, Pattern.compile(regex));
    }

    static QueueMemory parseQueueMemory(String out, Pattern names) {
        long n = 0;
        long bytes = 0;
        for (String line : out.split("\n")) {
            int tab = line.lastIndexOf('\t');
            if (tab < 0 || !names.matcher(line.substring(0, tab)).find()) {
                continue;
            }
            try {
                bytes += Long.parseLong(line.substring(tab + 1).trim());
                n++;
            } catch (NumberFormatException e) {
                // header or odd line
            }
        }
        return new QueueMemory(n, bytes);
    }
}
