package io.lasthop.bench.client;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to the abusive clients, per kind, as the clients saw it: connections opened,
 * refused (and why), ended by the edge (and how the client noticed), still open when the harness
 * stopped them, and what they sent. Thread safe.
 */
public final class AbuseTally {
    /** The counters of one kind. */
    static final class Counters {
        final LongAdder abusers = new LongAdder();
        final LongAdder connections = new LongAdder();
        final LongAdder opened = new LongAdder();
        final LongAdder openAtEnd = new LongAdder();
        final LongAdder pings = new LongAdder();
        final LongAdder gets = new LongAdder();
        /** Milliseconds from open to the end, over the connections the edge ended. */
        final LongAdder msToEdgeEnd = new LongAdder();

        final ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, LongAdder> endedByEdge = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, LongAdder> postAnswers = new ConcurrentHashMap<>();

        void refused(String why) {
            refused.computeIfAbsent(why, k -> new LongAdder()).increment();
        }

        void endedByEdge(String how, long openMs) {
            endedByEdge.computeIfAbsent(how, k -> new LongAdder()).increment();
            msToEdgeEnd.add(openMs);
        }

        void postAnswered(int status) {
            postAnswers
                    .computeIfAbsent(Integer.toString(status), k -> new LongAdder())
                    .increment();
        }
    }

    private final Map<AbuseKind, Counters> byKind = new EnumMap<>(AbuseKind.class);

    public AbuseTally() {
        for (AbuseKind k : AbuseKind.values()) {
            byKind.put(k, new Counters());
        }
    }

    Counters of(AbuseKind kind) {
        return byKind.get(kind);
    }

    /**
     * Per kind (by its wire name): abusers, connections, opened, refused {why: n}, ended_by_edge
     * {how: n}, ended_by_edge_count, seconds_to_edge_end_sum (from open to the end, over those),
     * open_at_end, pings, gets, post_answers {status: n}.
     */
    public Map<String, Map<String, Object>> snapshot() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        byKind.forEach((kind, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("abusers", c.abusers.sum());
            m.put("connections", c.connections.sum());
            m.put("opened", c.opened.sum());
            m.put("refused", toMap(c.refused));
            Map<String, Long> ended = toMap(c.endedByEdge);
            long endedCount = ended.values().stream().mapToLong(Long::longValue).sum();
            m.put("ended_by_edge", ended);
            m.put("ended_by_edge_count", endedCount);
            m.put("seconds_to_edge_end_sum", c.msToEdgeEnd.sum() / 1000.0);
            m.put("open_at_end", c.openAtEnd.sum());
            m.put("pings", c.pings.sum());
            m.put("gets", c.gets.sum());
            m.put("post_answers", toMap(c.postAnswers));
            out.put(kind.wireName, m);
        });
        return out;
    }

    private static Map<String, Long> toMap(ConcurrentHashMap<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
