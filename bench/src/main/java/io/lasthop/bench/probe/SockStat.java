package io.lasthop.bench.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The kernel's TCP line of /proc/net/sockstat: sockets in use, TIME_WAIT, and TCP memory in bytes. */
public record SockStat(long tcpInUse, long tcpTimeWait, long tcpAlloc, long tcpMemBytes) {
    private static final long PAGE_SIZE = Exec.getconf("PAGESIZE", 4096);

    /**
     * TCP sockets of both families: Java opens IPv6 sockets even for 127.0.0.1 (v4-mapped), and
     * those are counted in /proc/net/sockstat6 only. The memory figure covers both. Null if
     * /proc/net/sockstat could not be read.
     */
    public static SockStat read() {
        try {
            SockStat v4 = parse(Files.readString(Path.of("/proc/net/sockstat")), PAGE_SIZE);
            long v6 = 0;
            try {
                v6 = parseTcp6InUse(Files.readString(Path.of("/proc/net/sockstat6")));
            } catch (IOException e) {
                // no IPv6
            }
            return v4 == null
                    ? null
                    : new SockStat(v4.tcpInUse() + v6, v4.tcpTimeWait(), v4.tcpAlloc(), v4.tcpMemBytes());
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

    static SockStat parse(String text, long pageSize) {
        for (String line : text.split("\n")) {
            if (line.startsWith("TCP:")) {
                String[] p = line.substring(4).trim().split("\\s+");
                Map<String, Long> kv = new LinkedHashMap<>();
                for (int i = 0; i + 1 < p.length; i += 2) {
                    kv.put(p[i], Long.parseLong(p[i + 1]));
                }
                return new SockStat(
                        kv.getOrDefault("inuse", -1L),
                        kv.getOrDefault("tw", -1L),
                        kv.getOrDefault("alloc", -1L),
                        kv.getOrDefault("mem", -1L) * pageSize);
            }
        }
        return null;
    }
}
