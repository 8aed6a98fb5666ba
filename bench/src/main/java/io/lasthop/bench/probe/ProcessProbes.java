package io.lasthop.bench.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Readings of one process, by pid: its heap after a full GC ({@code jcmd}), and its RSS, CPU time
 * and open files ({@code /proc/PID}). A reading that fails returns -1.
 */
public final class ProcessProbes {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long CLK_TCK = Exec.getconf("CLK_TCK", 100);

    private ProcessProbes() {}

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

    /**
     * A class histogram of a heap, taken during a full GC: the live heap in all, and the classes
     * holding most of it, largest first, as "bytes class".
     */
    public record HeapHistogram(long totalBytes, List<String> top) {
        static final HeapHistogram NONE = new HeapHistogram(-1, List.of());
    }

    /**
     * {@code jcmd GC.class_histogram}, which runs a full GC and counts what survives: the total and
     * at most {@code top} classes; {@link HeapHistogram#NONE} if it failed.
     */
    public static HeapHistogram heapHistogram(long pid, int top) {
        String out = classHistogram(pid);
        return out == null ? HeapHistogram.NONE : parseHistogram(out, top);
    }

    /** Rows "  1:  instances  bytes  class" and the line "Total  instances  bytes". */
    static HeapHistogram parseHistogram(String histogram, int top) {
        long total = -1;
        for (String l : histogram.lines().map(String::trim).toList()) {
            String[] f = l.split("\\s+");
            if (f.length == 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            }
        }
        List<String> rows = histogramRows(histogram).stream()
                .limit(top)
                .map(r -> r[2] + " " + r[3])
                .toList();
        return new HeapHistogram(total, rows);
    }

    /** Live instances and bytes of one class in a class histogram. */
    public record ClassUse(long instances, long bytes) {}

    /**
     * Every class of {@code jcmd GC.class_histogram} (which runs a full GC and counts what
     * survives), by name without its module, with its instances and bytes; empty if it failed.
     */
    public static Map<String, ClassUse> liveByClass(long pid) {
        String out = classHistogram(pid);
        return out == null ? Map.of() : parseByClass(out);
    }

    static Map<String, ClassUse> parseByClass(String histogram) {
        Map<String, ClassUse> m = new LinkedHashMap<>();
        for (String[] r : histogramRows(histogram)) {
            m.merge(
                    r[3].replaceFirst(" \\([^)]*\\)$", ""),
                    new ClassUse(Long.parseLong(r[1]), Long.parseLong(r[2])),
                    (x, y) -> new ClassUse(x.instances() + y.instances(), x.bytes() + y.bytes()));
        }
        return m;
    }

    private static String classHistogram(long pid) {
        return Exec.run(60, List.of("jcmd", Long.toString(pid), "GC.class_histogram"));
    }

    /** The class rows of a histogram, largest first as jcmd lists them: rank, instances, bytes, class. */
    private static List<String[]> histogramRows(String histogram) {
        return histogram
                .lines()
                .map(String::trim)
                .map(l -> l.split("\\s+", 4))
                .filter(f -> f.length == 4 && f[0].matches("\\d+:"))
                .toList();
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

    /**
     * What the scheduler says of a thread or a group of threads: CPU time, time spent runnable but
     * waiting on a run queue for a core, and how many times it was scheduled.
     */
    public record SchedTimes(long cpuNanos, long waitNanos, long slices) {
        public SchedTimes plus(SchedTimes o) {
            return new SchedTimes(cpuNanos + o.cpuNanos, waitNanos + o.waitNanos, slices + o.slices);
        }

        public SchedTimes minus(SchedTimes o) {
            return new SchedTimes(cpuNanos - o.cpuNanos, waitNanos - o.waitNanos, slices - o.slices);
        }
    }

    /**
     * The scheduler's times of every thread of a process ({@code /proc/PID/task/TID/schedstat}),
     * summed by thread group: the thread's name without the numbers that tell threads of a group
     * apart, so {@code lasthop-io-3-1} and {@code lasthop-io-3-2} are {@code lasthop-io},
     * {@code GC Thread#1} is {@code GC Thread}, {@code 2_scheduler} is {@code scheduler}. Empty if the process is gone. A thread
     * that ends between two readings takes its times with it: compare readings of long-lived threads.
     */
    public static Map<String, SchedTimes> schedTimes(long pid) {
        Map<String, SchedTimes> m = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    SchedTimes t = parseSchedstat(Files.readString(task.resolve("schedstat")));
                    if (t != null) {
                        m.merge(threadGroup(name), t, SchedTimes::plus);
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return mergeTruncated(m);
    }

    /**
     * The kernel keeps 15 characters of a thread's name, so the digits of {@code 1_dirty_io_sche} and
     * {@code 10_dirty_io_sch} cut off different tails of one group: a group whose name is another's
     * with at most two more characters is counted under the shorter name.
     */
    static Map<String, SchedTimes> mergeTruncated(Map<String, SchedTimes> groups) {
        Map<String, SchedTimes> m = new TreeMap<>();
        for (Map.Entry<String, SchedTimes> g : groups.entrySet()) {
            String key = g.getKey();
            for (String other : groups.keySet()) {
                if (other.length() < key.length() && key.length() - other.length() <= 2 && key.startsWith(other)) {
                    key = other;
                }
            }
            m.merge(key, g.getValue(), SchedTimes::plus);
        }
        return m;
    }

    /** "cpu-nanoseconds wait-nanoseconds timeslices", as the kernel writes it; null if it is not that. */
    static SchedTimes parseSchedstat(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 3) {
            return null;
        }
        try {
            return new SchedTimes(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String threadGroup(String threadName) {
        String g = threadName
                .replaceAll("^\\d+_", "")
                .replaceAll("#\\d+", "")
                .replaceAll("([-_]\\d+)+", "")
                .replaceAll("^[-_ ]+|[-_ ]+$", "");
        return g.isEmpty() ? threadName : g;
    }

    /** Open file descriptors of a process. */
    public static long openFiles(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
