package io.lasthop.bench.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The abusive clients of the {@code abuse} scenario: one abuser per user, the kinds in turn. An abuser holds one connection at a time; when the edge ends it, the
 * abuser opens the next after {@link AbuseSettings#reconnectDelayMs()} (resuming its session, if
 * it has one), as a misbehaving client that retries would. Bounded: at most
 * {@link AbuseSettings#maxConnections()} connections per abuser, none opened after the deadline,
 * and {@link #stop} closes what is open.
 */
public final class AbuseMix implements AutoCloseable {
    /** Makes one connection of an abuser. */
    interface Connections {
        AbusiveConnection make(AbuseKind kind, String user, String resume, AbuseTally.Counters counters);
    }

    private final AbuseSettings settings;
    private final Connections connections;
    private final AutoCloseable owned;
    private final AbuseTally tally = new AbuseTally();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "abuse-reconnects");
        t.setDaemon(true);
        return t;
    });
    private final List<Abuser> abusers = new ArrayList<>();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile long deadlineNanos;

    AbuseMix(AbuseSettings settings, Connections connections, AutoCloseable owned) {
        this.settings = settings;
        this.connections = connections;
        this.owned = owned;
    }

    /** Abusive clients of {@code pool}'s edge; closing the mix closes the pool. */
    public static AbuseMix of(ClientPool pool, AbuseSettings settings) {
        return new AbuseMix(
                settings,
                (kind, user, resume, counters) -> kind.hasSession()
                        ? new NonReadingSession(pool, kind, settings, counters, user, resume)
                        : new RawConnection(pool, kind, settings, counters),
                pool);
    }

    /**
     * Starts one abuser per user, of the given kinds in turn (user i gets {@code kinds.get(i % n)});
     * none opens a connection after {@code deadlineNanos} ({@link System#nanoTime()}).
     */
    public void start(List<String> users, List<AbuseKind> kinds, long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        for (int i = 0; i < users.size(); i++) {
            Abuser a = new Abuser(kinds.get(i % kinds.size()), users.get(i));
            tally.of(a.kind).abusers.increment();
            abusers.add(a);
        }
        abusers.forEach(Abuser::next);
    }

    /**
     * Stops every abuser, closing its open connection at once, and waits at most {@code timeout}
     * for all of them to finish; returns how many did not.
     */
    public int stop(Duration timeout) {
        stopping = true;
        abusers.forEach(Abuser::stop);
        return await(timeout);
    }

    /**
     * Waits at most {@code timeout} for every abuser to finish on its own (its connections used
     * up, or the deadline passed); returns how many did not.
     */
    public int await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int left = 0;
        for (Abuser a : abusers) {
            try {
                a.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                left++;
            }
        }
        return left;
    }

    public AbuseTally tally() {
        return tally;
    }

    /** The broker queues of every session the abusers opened, for cleanup. */
    public List<String> sessionQueues() {
        return List.copyOf(queues);
    }

    @Override
    public void close() throws Exception {
        stop(Duration.ofSeconds(10));
        scheduler.shutdownNow();
        owned.close();
    }

    /** One abuser: its connections, one after another. */
    private final class Abuser {
        final AbuseKind kind;
        final String user;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private String resume = "";
        private int opened;
        private AbusiveConnection current;

        Abuser(AbuseKind kind, String user) {
            this.kind = kind;
            this.user = user;
        }

        void next() {
            AbusiveConnection c;
            synchronized (this) {
                if (stopping || opened >= settings.maxConnections() || System.nanoTime() - deadlineNanos >= 0) {
                    done.complete(null);
                    return;
                }
                opened++;
                c = connections.make(kind, user, resume, tally.of(kind));
                current = c;
            }
            c.run().whenComplete((end, e) -> {
                String q = c.sessionQueue();
                if (q != null) {
                    queues.add(q);
                }
                synchronized (this) {
                    resume = c.resumeQuery();
                }
                long delayNanos = TimeUnit.MILLISECONDS.toNanos(settings.reconnectDelayMs());
                if (stopping || System.nanoTime() + delayNanos - deadlineNanos >= 0) {
                    done.complete(null);
                } else {
                    scheduler.schedule(this::next, delayNanos, TimeUnit.NANOSECONDS);
                }
            });
        }

        void stop() {
            AbusiveConnection c;
            synchronized (this) {
                c = current;
            }
            if (c != null) {
                c.stop();
            }
        }
    }
}
