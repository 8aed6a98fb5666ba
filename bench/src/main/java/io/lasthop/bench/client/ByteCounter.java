package io.lasthop.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** First in the pipeline: counts the TCP payload bytes read and written, headers included. */
final class ByteCounter extends ChannelDuplexHandler {
    private final ClientStats stats;

    ByteCounter(ClientStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            stats.bytesRead.add(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            stats.bytesWritten.add(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
