package io.lasthop.edge.session;

import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.protocol.MessageFrame;
import io.lasthop.protocol.ServerFrames;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The ledger of one session's deliveries: every one the broker made that the client has not acked,
 * in delivery order, the newest of them not yet written while the client's socket is not writable.
 * The broker sends at most {@code prefetch} unacked deliveries, so the ledger is bounded whatever
 * the client does. Acks are cumulative, as the client sends them. The oldest delivery must be acked
 * within the ack deadline, which the edge keeps shorter than the broker's {@code consumer_timeout}.
 * Event loop only.
 */
final class Outbox {
    private final EdgeMetrics metrics;
    private final EventLoop loop;
    private final long ackTimeoutNanos;
    private final Consumer<String> onAckTimeout;
    private final ArrayDeque<Inflight> unacked = new ArrayDeque<>();
    private ScheduledFuture<?> ackDeadline;
    private int unwritten;
    private long nextSeq;
    private long lastWrittenSeq;
    private boolean paused;

    /** @param onAckTimeout called with a message for the client when the deadline passes */
    Outbox(EdgeMetrics metrics, EventLoop loop, long ackTimeoutNanos, Consumer<String> onAckTimeout) {
        this.metrics = metrics;
        this.loop = loop;
        this.ackTimeoutNanos = ackTimeoutNanos;
        this.onAckTimeout = onAckTimeout;
    }

    /** The number the next delivery gets; this connection's deliveries count from 1. */
    long nextSeq() {
        return ++nextSeq;
    }

    /** The highest seq written to the client: acks above it name deliveries never made. */
    long lastWrittenSeq() {
        return lastWrittenSeq;
    }

    /** Adds a delivery, unwritten. */
    void add(long tag, SessionLink link, MessageFrame frame) {
        unacked.add(new Inflight(frame.seq(), tag, link, System.nanoTime(), frame));
        unwritten++;
        if (ackDeadline == null) {
            scheduleAckDeadline();
        }
    }

    /**
     * Writes unwritten deliveries, oldest first, while the transport is writable, and flushes the
     * transport, which may hold other frames too.
     */
    void writePending(Transport transport) {
        if (unwritten > 0) {
            write(transport);
        }
        transport.flush();
    }

    private void write(Transport transport) {
        // Unwritten entries are the newest; skip to the oldest of them.
        Iterator<Inflight> it = unacked.iterator();
        for (int skip = unacked.size() - unwritten; skip > 0; skip--) {
            it.next();
        }
        long now = System.nanoTime();
        while (it.hasNext()) {
            if (!transport.isWritable()) {
                if (!paused) {
                    paused = true;
                    metrics.backpressurePauses.increment();
                }
                return;
            }
            Inflight f = it.next();
            MessageFrame frame = f.frame;
            f.frame = null;
            f.writtenNanos = now;
            unwritten--;
            lastWrittenSeq = f.seq;
            transport.write(FrameWriter.encode(transport.alloc(), out -> ServerFrames.writeMessage(out, frame)));
            metrics.deliveries.increment();
            if (frame.redelivered()) {
                metrics.redeliveries.increment();
            }
            metrics.acksPending(1);
        }
        paused = false;
    }

    /**
     * Acks every written delivery up to {@code seq} to the broker; false if {@code seq} names a
     * delivery never written. Acking again is a no-op. Deliveries of a lost channel are dropped from
     * the ledger without an ack: they are back in the queue and come again.
     */
    boolean ack(long seq) {
        if (seq > lastWrittenSeq) {
            return false;
        }
        Inflight last = null;
        int n = 0;
        while (!unacked.isEmpty() && unacked.peekFirst().seq <= seq) {
            Inflight f = unacked.pollFirst();
            n++;
            if (f.link.alive()) {
                last = f;
            }
        }
        if (n == 0) {
            return true;
        }
        metrics.acksPending(-n);
        metrics.acked.increment(n);
        if (last != null) {
            metrics.ackDelay.record((System.nanoTime() - last.writtenNanos) / 1e9);
            // Safe with multiple=true: the channel is this session's alone.
            last.link.ack(last.tag);
        }
        // The deadline now runs from the oldest delivery left.
        cancelAckDeadline();
        if (!unacked.isEmpty()) {
            scheduleAckDeadline();
        }
        return true;
    }

    /** Forgets the deliveries of a lost channel: the broker requeued them. */
    void dropDeliveriesOf(SessionLink dead) {
        int written = 0;
        for (Iterator<Inflight> it = unacked.iterator(); it.hasNext(); ) {
            Inflight f = it.next();
            if (f.link == dead) {
                it.remove();
                if (f.frame == null) {
                    written++;
                } else {
                    unwritten--;
                }
            }
        }
        metrics.acksPending(-written);
        if (unacked.isEmpty()) {
            cancelAckDeadline();
        }
    }

    /** Forgets everything, when the session closes: closing its channel requeues it all. */
    void clear() {
        cancelAckDeadline();
        metrics.acksPending(-(unacked.size() - unwritten));
        unacked.clear();
        unwritten = 0;
    }

    private void scheduleAckDeadline() {
        long delay = unacked.peekFirst().arrivedNanos + ackTimeoutNanos - System.nanoTime();
        ackDeadline = loop.schedule(this::checkAckDeadline, Math.max(delay, 0), TimeUnit.NANOSECONDS);
    }

    private void checkAckDeadline() {
        ackDeadline = null;
        Inflight oldest = unacked.peekFirst();
        if (oldest == null) {
            return;
        }
        if (System.nanoTime() - oldest.arrivedNanos >= ackTimeoutNanos) {
            onAckTimeout.accept("delivery " + oldest.seq + " was not acked within " + ackTimeoutNanos / 1_000_000
                    + " ms; unacked deliveries were requeued");
        } else {
            scheduleAckDeadline();
        }
    }

    private void cancelAckDeadline() {
        if (ackDeadline != null) {
            ackDeadline.cancel(false);
            ackDeadline = null;
        }
    }
}
