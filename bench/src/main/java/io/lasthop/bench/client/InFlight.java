package io.lasthop.bench.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.HdrHistogram.Recorder;

/**
 * A batch of asynchronous operations on the event loops (handshakes, resumes, {@code sub}
 * requests) with at most so many in flight, counted into a {@link ConnectReport}.
 */
final class InFlight {
    private InFlight() {}

    /**
     * Runs {@code op} for every item, at most {@code concurrency} in flight, starting none after
     * {@code timeout}, and reports how they went: completions, failures by reason, the time from
     * the first start to the last completion, and the latency of each successful one.
     */
    static <T> ConnectReport run(List<T> items, int concurrency, Duration timeout, Function<T, CompletableFuture<?>> op)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        Recorder latency = new Recorder(1, 600_000_000L, 3);
        LongAdder ok = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(items.size());
        AtomicLong lastDone = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int started = 0;
        for (T item : items) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                break;
            }
            started++;
            long t0 = System.nanoTime();
            op.apply(item).whenComplete((s, e) -> {
                long t1 = System.nanoTime();
                lastDone.accumulateAndGet(t1, Math::max);
                if (e == null) {
                    ok.increment();
                    latency.recordValue(Math.max(1, (t1 - t0) / 1_000));
                } else {
                    failures.computeIfAbsent(ClientPool.describe(e), k -> new LongAdder())
                            .increment();
                }
                inFlight.release();
                done.countDown();
            });
        }
        for (int i = started; i < items.size(); i++) {
            done.countDown();
        }
        boolean all = done.await(Math.max(0, deadline - System.nanoTime()) + 25_000_000_000L, TimeUnit.NANOSECONDS);
        Map<String, Long> reasons = new TreeMap<>();
        failures.forEach((k, v) -> reasons.put(k, v.sum()));
        if (!all) {
            reasons.merge(
                    "still in flight at the deadline",
                    (long) started
                            - ok.sum()
                            - failures.values().stream()
                                    .mapToLong(LongAdder::sum)
                                    .sum(),
                    Long::sum);
        }
        long elapsed = Math.max(1, (lastDone.get() == 0 ? System.nanoTime() : lastDone.get()) - start);
        return new ConnectReport(
                items.size(), ok.sum(), items.size() - started, reasons, elapsed, latency.getIntervalHistogram());
    }
}
