package io.lasthop.bench.client;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection of an abusive client: it connects, sends its abuse every tick until the edge ends
 * the connection or the harness stops it, and says which ({@link #run()}). Subclasses connect
 * ({@link #start()}), call {@link #opened} once they abuse, {@link #refused} if they never get
 * there, and {@link #endedByEdge} when they notice the edge ended the connection. Everything runs
 * on the connection's event loop but {@link #stop()}.
 */
abstract class AbusiveConnection {
    /** How a connection ended. */
    enum End {
        /** It never got to abuse: the connect or the session's opening failed. */
        REFUSED,
        /** The edge ended it while it abused. */
        ENDED_BY_EDGE,
        /** Still open when the harness stopped it. */
        STOPPED
    }

    final AbuseKind kind;
    final AbuseSettings settings;
    final AbuseTally.Counters counters;
    private final CompletableFuture<End> ended = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile boolean open;
    private long openedNanos;
    private volatile ScheduledFuture<?> ticker;

    AbusiveConnection(AbuseKind kind, AbuseSettings settings, AbuseTally.Counters counters) {
        this.kind = kind;
        this.settings = settings;
        this.counters = counters;
    }

    /** Connects (and opens the session, if the kind has one); must end in {@link #opened} or {@link #refused}. */
    abstract void start();

    /** Sends one tick's abuse. */
    abstract void tick();

    /** Closes every socket of this connection at once, with no handshake: the client may not be reading. */
    abstract void closeSockets();

    /** The query that resumes this connection's session, once it had a hello; empty otherwise. */
    String resumeQuery() {
        return "";
    }

    /** The broker queue of this connection's session, once it had a hello; null otherwise. */
    String sessionQueue() {
        return null;
    }

    /** Connects and abuses; completes with how the connection ended. */
    final CompletableFuture<End> run() {
        counters.connections.increment();
        start();
        return ended;
    }

    /** Stops abusing and closes the connection; {@link #run()} then completes, {@link End#STOPPED} unless it had ended. */
    final void stop() {
        stopping = true;
        closeSockets();
        // A connect (or a session's opening) still under way closes its sockets when it ends.
        finish(End.STOPPED, () -> {});
    }

    /** Open and abusing: send every tick from now on. */
    final void opened(EventLoop loop) {
        counters.opened.increment();
        openedNanos = System.nanoTime();
        open = true;
        if (stopping) {
            closeSockets();
            finish(End.STOPPED, () -> {});
            return;
        }
        ticker = loop.scheduleAtFixedRate(this::tick, 0, settings.tickMs(), TimeUnit.MILLISECONDS);
    }

    /** Never got to abuse, for this reason. */
    final void refused(String why) {
        if (stopping) {
            finish(End.STOPPED, () -> {});
        } else {
            finish(End.REFUSED, () -> counters.refused(why));
        }
        closeSockets();
    }

    /** The edge ended the connection, which the client noticed this way (a closed socket, an answer). */
    final void endedByEdge(String how) {
        if (stopping) {
            finish(End.STOPPED, () -> {});
        } else {
            finish(End.ENDED_BY_EDGE, () -> counters.endedByEdge(how, (System.nanoTime() - openedNanos) / 1_000_000));
        }
        closeSockets();
    }

    boolean stopping() {
        return stopping;
    }

    /** Ends the connection once: the first end counts ({@code count}), then completes {@link #run()}. */
    private void finish(End end, Runnable count) {
        var t = ticker;
        if (t != null) {
            t.cancel(false);
        }
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        count.run();
        if (end == End.STOPPED && open) {
            counters.openAtEnd.increment();
        }
        ended.complete(end);
    }
}
