package io.lasthop.bench.scenario;

import io.lasthop.bench.probe.BrokerProbes;
import io.lasthop.bench.probe.ProcessProbes;
import io.lasthop.bench.probe.SockStat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readings at one point of a ramp: sessions open; the Java heap after a full GC, the RSS and the
 * open files of the process that holds the sessions (the edge, or the raw-AMQP consumer process);
 * the broker's memory breakdown; the kernel's TCP socket counts and memory; the memory of this run's
 * queue processes alone.
 */
public record Snapshot(
        long sessions,
        long heap,
        long rss,
        long fds,
        Map<String, Long> broker,
        SockStat sock,
        BrokerProbes.QueueMemory queues) {

    static Snapshot take(long sessions, long pid, boolean heap, String queueRegex) {
        return take(sessions, pid, heap, queueRegex, List.of());
    }

    /** {@code nodeArgs} name another broker node ({@code -n NODE}) for the broker readings. */
    static Snapshot take(long sessions, long pid, boolean heap, String queueRegex, List<String> nodeArgs) {
        long h = heap && pid > 0 ? ProcessProbes.heapAfterFullGc(pid) : -1;
        long rss = pid > 0 ? ProcessProbes.rss(pid) : -1;
        long fds = pid > 0 ? ProcessProbes.openFiles(pid) : -1;
        return new Snapshot(
                sessions,
                h,
                rss,
                fds,
                BrokerProbes.memory(nodeArgs),
                SockStat.read(),
                BrokerProbes.queueMemory(nodeArgs, queueRegex));
    }

    long broker(String key) {
        if (broker == null) {
            return -1;
        }
        if (key.equals("connection_*")) {
            return broker.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("connection_"))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
        }
        return broker.getOrDefault(key, -1L);
    }

    /** Named figures, bytes or counts; -1 where not measured. */
    Map<String, Long> figures() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("heap", heap);
        m.put("rss", rss);
        m.put("fds", fds);
        m.put("broker_total", broker("total"));
        m.put("broker_queue_procs", broker("queue_procs"));
        m.put("broker_connection", broker("connection_*"));
        m.put("broker_binary", broker("binary"));
        m.put("run_queue_mem", queues == null ? -1 : queues.bytes());
        m.put("tcp_mem", sock == null ? -1 : sock.tcpMemBytes());
        m.put("tcp_inuse", sock == null ? -1 : sock.tcpInUse());
        return m;
    }

    /** (this − base) / sessions for every figure both measured; NaN otherwise. */
    Map<String, Double> perSession(Snapshot base) {
        Map<String, Double> m = new LinkedHashMap<>();
        Map<String, Long> a = figures();
        Map<String, Long> b = base.figures();
        for (String k : a.keySet()) {
            long x = a.get(k);
            long y = b.get(k);
            m.put(
                    k,
                    x < 0 || y < 0 || sessions <= base.sessions
                            ? Double.NaN
                            : (x - y) / (double) (sessions - base.sessions));
        }
        return m;
    }
}
