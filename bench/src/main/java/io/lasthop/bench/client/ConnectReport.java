package io.lasthop.bench.client;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * How a ramp of connects went: sessions requested, opened (hello received), not started before
 * the deadline, failures by reason, the time from the first connect to the last completion, and
 * the connect-to-hello latency in microseconds. Also how a batch of subscriptions went: then
 * "opened" counts {@code ok} answers, and the latency is {@code sub} → {@code ok}.
 */
public record ConnectReport(
        long requested,
        long opened,
        long notStarted,
        Map<String, Long> failures,
        long elapsedNanos,
        Histogram latencyUs) {
    public double perSecond() {
        return opened * 1e9 / elapsedNanos;
    }

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }
}
