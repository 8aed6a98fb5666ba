package io.lasthop.edge.transport;

import io.lasthop.edge.session.Transport;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;

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

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    @Override
    public void flush() {
        channel.flush();
    }
}
