package io.lasthop.edge.session;

import io.lasthop.protocol.CloseCode;
import io.lasthop.protocol.ServerFrames;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session's heartbeat: pings the client every interval, so proxies keep idle streams open and the
 * client can tell a dead edge, and closes a bidirectional client that went silent for three
 * intervals. Event loop only.
 */
final class Heartbeat {
    private final Session session;
    private final long intervalMillis;
    private ScheduledFuture<?> timer;
    private long lastInboundNanos = System.nanoTime();

    Heartbeat(Session session, long intervalMillis) {
        this.session = session;
        this.intervalMillis = intervalMillis;
    }

    /** Any sign of life from the client. */
    void touch() {
        lastInboundNanos = System.nanoTime();
    }

    void start(EventLoop loop) {
        timer = loop.scheduleAtFixedRate(this::beat, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void beat() {
        Transport t = session.transport();
        if (!session.isOpen()) {
            return;
        }
        if (!t.unidirectional() && System.nanoTime() - lastInboundNanos > 3 * intervalMillis * 1_000_000L) {
            session.close(CloseCode.HEARTBEAT_TIMEOUT, "nothing received for 3 heartbeat intervals");
        } else if (t.wantsPings()) {
            session.send(ServerFrames::writePing, true);
        }
    }
}
