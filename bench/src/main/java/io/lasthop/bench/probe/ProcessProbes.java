package io.lasthop.bench.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        String out = Exec.run(60, List.of("jcmd", Long.toString(pid), "GC.class_histogram"));
        return out == null ? HeapHistogram.NONE : parseHistogram(out, top);
    }

    /** Rows "  1:  instances  bytes  class" and the line "Total  instances  bytes". */
    static HeapHistogram parseHistogram(String histogram, int top) {
        long total = -1;
        List<String> rows = new java.util.ArrayList<>();
        for (String l : histogram.lines().map(String::trim).toList()) {
            String[] f = l.split("\\s+", 4);
            if (f.length == 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            } else if (f.length == 4 && f[0].matches("\\d+:") && rows.size() < top) {
                rows.add(f[2] + " " + f[3]);
            }
        }
        return new HeapHistogram(total, List.copyOf(rows));
    }

    /** Live instances and bytes of one class in a class histogram. */
    public record ClassUse(long instances, long bytes) {}

    /**
     * Every class of {@code jcmd GC.class_histogram} (which runs a full GC and counts what
     * survives), by name without its module, with its instances and bytes; empty if it failed.
     */
    public static Map<String, ClassUse> liveByClass(long pid) {
        String out = Exec.run(60, List.of("jcmd", Long.toString(pid), "GC.class_histogram"));
        return out == null ? Map.of() : parseByClass(out);
    }

    static Map<String, ClassUse> parseByClass(String histogram) {
        Map<String, ClassUse> m = new LinkedHashMap<>();
        for (String l : histogram.lines().map(String::trim).toList()) {
            String[] f = l.split("\\s+", 4);
            if (f.length == 4 && f[0].matches("\\d+:")) {
                m.merge(
                        f[3].replaceFirst(" \\([^)]*\\)$", ""),
                        new ClassUse(Long.parseLong(f[1]), Long.parseLong(f[2])),
                        (x, y) -> new ClassUse(x.instances() + y.instances(), x.bytes() + y.bytes()));
            }
        }
        return m;
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

    /** Open file descriptors of a process. */
    public static long openFiles(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
