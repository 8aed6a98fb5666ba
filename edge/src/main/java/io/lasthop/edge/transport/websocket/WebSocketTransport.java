package io.lasthop.edge.transport.websocket;

import io.lasthop.edge.transport.Transport;
import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** Frames travel as WebSocket text messages, one JSON object each; client frames come back the same way. */
public final class WebSocketTransport implements Transport {
    public static final String NAME = "websocket";

    private final Channel channel;

    public WebSocketTransport(Channel channel) {
        this.channel = channel;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean unidirectional() {
        return false;
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
    public void write(ByteBuf json) {
        channel.write(new TextWebSocketFrame(json), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(CloseCode code, ByteBuf closeFrame) {
        if (code == null) {
            if (closeFrame != null) {
                closeFrame.release();
            }
            channel.close();
            return;
        }
        if (closeFrame != null) {
            channel.write(new TextWebSocketFrame(closeFrame), channel.voidPromise());
        }
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason()))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
