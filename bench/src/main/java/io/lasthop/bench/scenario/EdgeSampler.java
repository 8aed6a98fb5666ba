package io.lasthop.bench.scenario;

import io.lasthop.bench.probe.EdgeProbes;
import io.lasthop.bench.probe.ProcessProbes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Samples an edge once a second on a thread of its own, from construction until {@link #close()}:
 * its RSS, and from its {@code /metrics} the JVM's committed heap and direct buffers, the unread
 * output it holds for clients, its client connections (with and without a session) and its
 * sessions. Cheap enough to run during a latency measurement: no GC is forced.
 */
final class EdgeSampler implements AutoCloseable {
    /** One sample, in bytes or counts; -1 where the reading failed. */
    record Sample(
            double atSeconds,
            long rssBytes,
            long heapCommittedBytes,
            long directBufferBytes,
            long outputPendingBytes,
            long clientConnections,
            long unauthenticated,
            long sessions) {}

    static final long PERIOD_MS = 1_000;

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    EdgeSampler(String host, int port, long pid) {
        long start = System.nanoTime();
        thread = new Thread(
                () -> {
                    while (running) {
                        String text = EdgeProbes.metrics(host, port);
                        Sample s = new Sample(
                                Math.round((System.nanoTime() - start) / 1e8) / 10.0,
                                pid > 0 ? ProcessProbes.rss(pid) : -1,
                                labelled(text, "jvm_memory_committed_bytes", "area", "heap"),
                                labelled(text, "jvm_buffer_memory_used_bytes", "id", "direct"),
                                gauge(text, "lasthop_client_output_pending_bytes"),
                                gauge(text, "lasthop_client_connections"),
                                gauge(text, "lasthop_client_connections_unauthenticated"),
                                gauge(text, "lasthop_sessions"));
                        synchronized (samples) {
                            samples.add(s);
                        }
                        try {
                            Thread.sleep(PERIOD_MS);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "edge-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private static long gauge(String text, String name) {
        if (text == null) {
            return -1;
        }
        double v = EdgeProbes.parseGauge(text, name);
        return Double.isNaN(v) ? -1 : Math.round(v);
    }

    private static long labelled(String text, String name, String label, String value) {
        Double v = text == null ? null : EdgeProbes.byLabel(text, name, label).get(value);
        return v == null ? -1 : Math.round(v);
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The largest reading of one figure over the samples so far, or -1. */
    long peak(ToLongFunction<Sample> figure) {
        return samples().stream().mapToLong(figure).max().orElse(-1);
    }

    /** The peak of every figure, by name. */
    Map<String, Long> peaks() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rss", peak(Sample::rssBytes));
        m.put("heap_committed", peak(Sample::heapCommittedBytes));
        m.put("direct_buffers", peak(Sample::directBufferBytes));
        m.put("output_pending", peak(Sample::outputPendingBytes));
        m.put("client_connections", peak(Sample::clientConnections));
        m.put("unauthenticated", peak(Sample::unauthenticated));
        m.put("sessions", peak(Sample::sessions));
        return m;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
