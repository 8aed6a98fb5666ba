package io.lasthop.bench.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one process's client sessions; all thread safe. */
public final class ClientStats {
    public final LongAdder messages = new LongAdder();
    public final LongAdder redelivered = new LongAdder();
    public final LongAdder acksSent = new LongAdder();
    public final LongAdder ackPostsRefused = new LongAdder();
    /** Connections (HTTP/2: streams) opened to POST acks and requests, sse and stream transports. */
    public final LongAdder ackConnections = new LongAdder();

    public final LongAdder pingsAnswered = new LongAdder();
    public final LongAdder parseErrors = new LongAdder();
    public final LongAdder unexpectedDisconnects = new LongAdder();
    /** A hello with a new connection on an open session: a long-poll that the edge started over. */
    public final LongAdder connectionRestarts = new LongAdder();

    public final LongAdder bytesRead = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> closes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

    public void close(int code, String reason) {
        closes.computeIfAbsent(code + " " + reason, k -> new LongAdder()).increment();
    }

    public void error(String what) {
        errors.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("messages", messages.sum());
        m.put("redelivered", redelivered.sum());
        m.put("acks_sent", acksSent.sum());
        m.put("ack_posts_refused", ackPostsRefused.sum());
        m.put("ack_connections_opened", ackConnections.sum());
        m.put("pings_answered", pingsAnswered.sum());
        m.put("parse_errors", parseErrors.sum());
        m.put("unexpected_disconnects", unexpectedDisconnects.sum());
        m.put("connection_restarts", connectionRestarts.sum());
        m.put("bytes_read", bytesRead.sum());
        m.put("bytes_written", bytesWritten.sum());
        m.put("close_frames", toMap(closes));
        m.put("errors", toMap(errors));
        return m;
    }

    private static Map<String, Long> toMap(ConcurrentHashMap<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
