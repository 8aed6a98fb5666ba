package io.lasthop.edge.transport;

import io.lasthop.edge.session.Transport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;

/** A transport that writes to one long-lived connection: its socket's writability is the session's. */
public abstract class ChannelTransport implements Transport {
    protected final Channel channel;

    protected ChannelTransport(Channel channel) {
        this.channel = channel;
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    /**
     * From the channel's distance to its water marks, which a socket and an HTTP/2 stream (whose
     * writes wait for the peer's flow-control window, not in an outbound buffer) both keep.
     */
    @Override
    public long pendingBytes() {
        WriteBufferWaterMark marks = channel.config().getWriteBufferWaterMark();
        return channel.isWritable()
                ? marks.high() - channel.bytesBeforeUnwritable()
                : marks.low() + channel.bytesBeforeWritable();
    }

    @Override
    public void flush() {
        channel.flush();
    }
}
