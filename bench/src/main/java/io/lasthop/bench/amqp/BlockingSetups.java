package io.lasthop.bench.amqp;

import io.lasthop.bench.client.ConnectReport;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Consumer setups that block on the broker (each a few synchronous AMQP round trips), run on a
 * fixed number of threads and counted into a {@link ConnectReport}.
 */
final class BlockingSetups {
    private BlockingSetups() {}

    /** One consumer's setup, blocking on the broker. */
    interface Setup {
        void run(int index) throws Exception;
    }

    /**
     * Runs setups 0 … count − 1 on {@code threads} threads; one not started within
     * {@code timeout} fails as "not started before the deadline". The report's time runs from the
     * start to the last setup that succeeded.
     */
    static ConnectReport run(int count, int threads, Duration timeout, Setup setup) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Recorder latency = new Recorder(1, 600_000_000L, 3);
        LongAdder ok = new LongAdder();
        Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(count);
        AtomicLong lastDone = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        for (int i = 0; i < count; i++) {
            int index = i;
            pool.execute(() -> {
                long t0 = System.nanoTime();
                try {
                    if (t0 > deadline) {
                        failures.computeIfAbsent("not started before the deadline", k -> new LongAdder())
                                .increment();
                        return;
                    }
                    setup.run(index);
                    long t1 = System.nanoTime();
                    lastDone.accumulateAndGet(t1, Math::max);
                    latency.recordValue(Math.max(1, (t1 - t0) / 1_000));
                    ok.increment();
                } catch (Exception e) {
                    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    failures.computeIfAbsent(m.length() > 120 ? m.substring(0, 120) : m, k -> new LongAdder())
                            .increment();
                } finally {
                    done.countDown();
                }
            });
        }
        boolean all = done.await(timeout.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        pool.shutdownNow();
        Map<String, Long> reasons = new TreeMap<>();
        failures.forEach((k, v) -> reasons.put(k, v.sum()));
        if (!all) {
            reasons.merge("still connecting at the deadline", done.getCount(), Long::sum);
        }
        long elapsed = Math.max(1, (lastDone.get() == 0 ? System.nanoTime() : lastDone.get()) - start);
        return new ConnectReport(count, ok.sum(), 0, reasons, elapsed, latency.getIntervalHistogram());
    }
}
