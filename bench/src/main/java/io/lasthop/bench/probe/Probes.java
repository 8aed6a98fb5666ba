package io.lasthop.bench.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Readings of processes, the kernel and the broker, each through the tool that owns it: jcmd,
 * /proc, rabbitmq-diagnostics, rabbitmqctl, the edge's /metrics. Every reading may fail; it then
 * returns -1 or null and the report says "not measured".
 */
public final class Probes {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long CLK_TCK = getconf("CLK_TCK", 100);
    private static final long PAGE_SIZE = getconf("PAGESIZE", 4096);

    private Probes() {}

    private static long getconf(String name, long dflt) {
        String s = Exec.run(5, List.of("getconf", name));
        try {
            return s == null ? dflt : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** Java heap in use right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes. */
    public static long heapAfterFullGc(long pid) {
        if (Exec.run(60, List.of("jcmd", Long.toString(pid), "GC.run")) == null) {
            return -1;
        }
        String info = Exec.run(30, List.of("jcmd", Long.toString(pid), "GC.heap_info"));
        if (info == null) {
            return -1;
        }
        Matcher m = HEAP_USED.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    /** Resident set size from /proc/PID/status, in bytes. */
    public static long rss(long pid) {
        return statusField(pid, "VmRSS:");
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    String[] p = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(p[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /**
     * A gauge from the edge's {@code /metrics} (Prometheus text), summed over its label sets; NaN
     * if the edge does not answer or has no such metric.
     */
    public static double edgeGauge(String host, int port, String name) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? gauge(r.body(), name) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** The sum of a metric's samples in Prometheus text, or NaN if it has none. */
    static double gauge(String text, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith(name) && line.length() > name.length()
                    && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    /**
     * CPU seconds so far of each named process (a pid ≤ 0 is left out), plus the load generator's
     * processes summed under "load generator".
     */
    public static Map<String, Double> cpuSeconds(Map<String, Long> pids, List<Long> generator) {
        Map<String, Double> m = new LinkedHashMap<>();
        pids.forEach((k, pid) -> {
            if (pid > 0) {
                m.put(k, cpuSeconds(pid));
            }
        });
        double gen = 0;
        for (long pid : generator) {
            gen += Math.max(0, cpuSeconds(pid));
        }
        m.put("load generator", gen);
        return m;
    }

    /** User plus system CPU time of a process (all its threads), in seconds. */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0]; utime is field 14 of the line, so f[11]; stime f[12]
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Open file descriptors of a process. */
    public static long openFiles(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** TCP line of /proc/net/sockstat: sockets in use, TIME_WAIT, and kernel TCP memory in bytes. */
    public record SockStat(long tcpInUse, long tcpTimeWait, long tcpAlloc, long tcpMemBytes) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tcp_inuse", tcpInUse);
            m.put("tcp_tw", tcpTimeWait);
            m.put("tcp_alloc", tcpAlloc);
            m.put("tcp_mem_bytes", tcpMemBytes);
            return m;
        }
    }

    /**
     * TCP sockets of both families: Java opens IPv6 sockets even for 127.0.0.1 (v4-mapped), and
     * those are counted in /proc/net/sockstat6 only. The memory figure covers both.
     */
    public static SockStat sockstat() {
        try {
            SockStat v4 = parseSockstat(Files.readString(Path.of("/proc/net/sockstat")), PAGE_SIZE);
            long v6 = 0;
            try {
                v6 = parseTcp6InUse(Files.readString(Path.of("/proc/net/sockstat6")));
            } catch (IOException e) {
                // no IPv6
            }
            return v4 == null ? null : new SockStat(v4.tcpInUse() + v6, v4.tcpTimeWait(), v4.tcpAlloc(), v4.tcpMemBytes());
        } catch (IOException e) {
            return null;
        }
    }

    static long parseTcp6InUse(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("TCP6:")) {
                String[] p = line.substring(5).trim().split("\\s+");
                for (int i = 0; i + 1 < p.length; i += 2) {
                    if (p[i].equals("inuse")) {
                        return Long.parseLong(p[i + 1]);
                    }
                }
            }
        }
        return 0;
    }

    static SockStat parseSockstat(String text, long pageSize) {
        for (String line : text.split("\n")) {
            if (line.startsWith("TCP:")) {
                String[] p = line.substring(4).trim().split("\\s+");
                Map<String, Long> kv = new LinkedHashMap<>();
                for (int i = 0; i + 1 < p.length; i += 2) {
                    kv.put(p[i], Long.parseLong(p[i + 1]));
                }
                return new SockStat(kv.getOrDefault("inuse", -1L), kv.getOrDefault("tw", -1L),
                        kv.getOrDefault("alloc", -1L), kv.getOrDefault("mem", -1L) * pageSize);
            }
        }
        return null;
    }

    /**
     * {@code rabbitmq-diagnostics memory_breakdown --unit bytes}: bytes by category, plus
     * {@code total} (every category but {@code reserved_unallocated}). Null if it failed.
     */
    public static Map<String, Long> brokerMemory(List<String> nodeArgs) {
        List<String> cmd = new java.util.ArrayList<>(List.of("rabbitmq-diagnostics", "-q"));
        cmd.addAll(node(nodeArgs));
        cmd.addAll(List.of("memory_breakdown", "--unit", "bytes"));
        String out = Exec.run(60, cmd);
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

    /** The node the edges use, when it is not the machine's default one (bench/run's private broker). */
    private static volatile List<String> mainNode = List.of();

    /** Probes given no node read {@code node} from now on (null or empty: the default node). */
    public static void useBrokerNode(String node) {
        mainNode = node == null || node.isEmpty() ? List.of() : List.of("-n", node);
    }

    private static List<String> node(List<String> nodeArgs) {
        return nodeArgs.isEmpty() ? mainNode : nodeArgs;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new java.util.ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    /** The broker's OS process id, from {@code rabbitmq-diagnostics status}; -1 if unknown. */
    public static long brokerPid(List<String> nodeArgs) {
        List<String> cmd = new java.util.ArrayList<>(List.of("rabbitmq-diagnostics", "-q"));
        cmd.addAll(node(nodeArgs));
        cmd.add("status");
        String out = Exec.run(60, cmd);
        if (out == null) {
            return -1;
        }
        Matcher m = Pattern.compile("OS PID: (\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** AMQP connections and channels whose client-provided name contains {@code marker}. */
    public record AmqpUse(int connections, int channels) { }

    public static AmqpUse amqpUse(String marker) {
        List<String> ctl = new java.util.ArrayList<>(List.of("rabbitmqctl", "-q"));
        ctl.addAll(node(List.of()));
        String conns = Exec.run(60, concat(ctl, "list_connections", "pid", "client_properties",
                "--formatter", "json"));
        // Channel counts of list_connections are statistics, refreshed every few seconds; count the
        // channels themselves instead.
        String chans = Exec.run(120, concat(ctl, "list_channels", "connection", "--formatter", "json"));
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
        java.util.Set<String> pids = new java.util.HashSet<>();
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
    public record QueueMemory(long queues, long bytes) { }

    public static QueueMemory queueMemory(List<String> nodeArgs, String regex) {
        List<String> cmd = new java.util.ArrayList<>(List.of("rabbitmqctl", "-q"));
        cmd.addAll(node(nodeArgs));
        cmd.addAll(List.of("list_queues", "name", "memory"));
        String out = Exec.run(120, cmd);
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

    /** Sample values of some metric families from the edge's /metrics, summed over their labels. */
    public static Map<String, Double> edgeMetrics(String baseUrl, List<String> names) {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#")) {
                    continue;
                }
                for (String n : names) {
                    if (line.startsWith(n + " ") || line.startsWith(n + "{")) {
                        int sp = line.lastIndexOf(' ');
                        try {
                            out.merge(n, Double.parseDouble(line.substring(sp + 1)), Double::sum);
                        } catch (NumberFormatException e) {
                            // skip
                        }
                    }
                }
            }
        } catch (IOException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
