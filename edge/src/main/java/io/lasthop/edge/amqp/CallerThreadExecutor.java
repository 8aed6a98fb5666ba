package io.lasthop.edge.amqp;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs each task on the thread that submits it. Given to amqp-client as the executor of the session
 * connections' consumers, it runs their callbacks on each connection's reader thread. The session
 * consumers only hand a delivery over to an event loop, so a pool in between bought nothing and cost
 * a hand-off per delivery: a queue, a wake-up, and on a busy machine a wait for a core.
 *
 * <p>A task submitted while the same thread runs one of this executor's tasks runs after that one
 * returns, not inside it: amqp-client submits its work-pool runnable again from within the last one,
 * and that must not nest. A task that throws is reported to the thread's uncaught-exception handler;
 * the tasks queued behind it still run.
 *
 * <p>Only for callbacks that never block. One that waited on the broker, an RPC reply for instance,
 * would wait on the very thread that reads the reply.
 */
public final class CallerThreadExecutor extends AbstractExecutorService {
    private static final class Trampoline {
        final ArrayDeque<Runnable> queued = new ArrayDeque<>(4);
        boolean running;
    }

    private final ThreadLocal<Trampoline> trampolines = ThreadLocal.withInitial(Trampoline::new);
    private final Object lock = new Object();
    private int active;
    private boolean shutdown;

    @Override
    public void execute(Runnable task) {
        Trampoline t = trampolines.get();
        if (t.running) {
            t.queued.add(task);
            return;
        }
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("executor shut down");
            }
            active++;
        }
        t.running = true;
        try {
            for (Runnable next = task; next != null; next = t.queued.poll()) {
                try {
                    next.run();
                } catch (RuntimeException | Error e) {
                    Thread me = Thread.currentThread();
                    me.getUncaughtExceptionHandler().uncaughtException(me, e);
                }
            }
        } finally {
            t.running = false;
            synchronized (lock) {
                if (--active == 0) {
                    lock.notifyAll();
                }
            }
        }
    }

    @Override
    public void shutdown() {
        synchronized (lock) {
            shutdown = true;
        }
    }

    /** Nothing waits here to be run: every task runs as it is submitted. */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        synchronized (lock) {
            return shutdown && active == 0;
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            while (!(shutdown && active == 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }
}
