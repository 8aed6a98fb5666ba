package io.lasthop.edge.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallerThreadExecutorTest {
    private final CallerThreadExecutor executor = new CallerThreadExecutor();

    @Test
    void runsEachTaskOnTheThreadThatSubmitsIt() {
        Thread[] ranOn = new Thread[1];
        executor.execute(() -> ranOn[0] = Thread.currentThread());
        assertSame(Thread.currentThread(), ranOn[0]);
    }

    @Test
    void aTaskSubmittedFromATaskRunsAfterItNotInsideIt() {
        List<String> order = new ArrayList<>();
        int[] depth = {0};
        int[] deepest = {0};
        executor.execute(() -> {
            depth[0]++;
            order.add("outer start");
            // amqp-client resubmits its work-pool runnable from inside the last one, many times over.
            for (int i = 0; i < 3; i++) {
                int n = i;
                executor.execute(() -> {
                    depth[0]++;
                    deepest[0] = Math.max(deepest[0], depth[0]);
                    order.add("inner " + n);
                    depth[0]--;
                });
            }
            order.add("outer end");
            depth[0]--;
        });
        assertEquals(List.of("outer start", "outer end", "inner 0", "inner 1", "inner 2"), order);
        assertEquals(1, deepest[0], "an inner task ran inside the outer one");
    }

    @Test
    void aChainOfResubmissionsDoesNotGrowTheStack() {
        int[] left = {100_000};
        int[] ran = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            ran[0]++;
            if (--left[0] > 0) {
                executor.execute(step[0]);
            }
        };
        executor.execute(step[0]);
        assertEquals(100_000, ran[0]);
    }

    @Test
    void aTaskThatThrowsIsReportedAndTheTasksQueuedBehindItStillRun() {
        List<Throwable> reported = new ArrayList<>();
        Thread me = Thread.currentThread();
        Thread.UncaughtExceptionHandler before = me.getUncaughtExceptionHandler();
        me.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            boolean[] behindRan = {false};
            executor.execute(() -> {
                executor.execute(() -> behindRan[0] = true);
                throw new IllegalStateException("boom");
            });
            assertTrue(behindRan[0]);
            assertEquals(1, reported.size());
            assertEquals("boom", reported.get(0).getMessage());
            // The thread can submit again: the failed task did not leave it marked as running one.
            boolean[] after = {false};
            executor.execute(() -> after[0] = true);
            assertTrue(after[0]);
        } finally {
            me.setUncaughtExceptionHandler(before);
        }
    }

    @Test
    void eachThreadRunsItsOwnTasks() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread other = insideATaskUntil(release);
        // Another thread is inside a task: this one's task still runs at once, here.
        boolean[] ran = {false};
        executor.execute(() -> ran[0] = true);
        assertTrue(ran[0]);
        release.countDown();
        other.join(10_000);
    }

    @Test
    void afterShutdownItRefusesTasksAndTerminatesOnceTheRunningOnesReturn() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread other = insideATaskUntil(release);
        executor.shutdown();
        assertTrue(executor.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> executor.execute(() -> {}));
        assertFalse(executor.isTerminated());
        assertFalse(executor.awaitTermination(50, TimeUnit.MILLISECONDS));
        release.countDown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(executor.isTerminated());
        other.join(10_000);
    }

    /** Another thread, inside a task of the executor until {@code release} counts down. */
    private Thread insideATaskUntil(CountDownLatch release) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        Thread other = new Thread(() -> executor.execute(() -> {
            inside.countDown();
            awaitQuietly(release);
        }));
        other.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        return other;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
