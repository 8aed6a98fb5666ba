package io.lasthop.edge.session;

import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.protocol.MessageFrame;

/** A delivery the client has not acked yet: not yet written while {@code frame} is non-null. */
final class Inflight {
    final long seq;
    final long tag;
    final SessionLink link;
    final long arrivedNanos;
    MessageFrame frame;
    long writtenNanos;

    Inflight(long seq, long tag, SessionLink link, long arrivedNanos, MessageFrame frame) {
        this.seq = seq;
        this.tag = tag;
        this.link = link;
        this.arrivedNanos = arrivedNanos;
        this.frame = frame;
    }
}
