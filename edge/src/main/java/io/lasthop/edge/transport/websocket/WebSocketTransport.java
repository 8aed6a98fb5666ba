package io.lasthop.edge.transport.websocket;

import io.lasthop.edge.http.LingeringClose;
import io.lasthop.edge.http.OriginPolicy;
import io.lasthop.edge.transport.ChannelTransport;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.edge.transport.TransportRoute;
import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** Frames travel as WebSocket text messages, one JSON object each; client frames come back the same way. */
public final class WebSocketTransport extends ChannelTransport {
    public static final String NAME = "websocket";
    public static final String PATH = "/lasthop/ws";

    WebSocketTransport(Channel channel) {
        super(channel);
    }

    /**
     * {@code GET /lasthop/ws}.
     *
     * @param maxFrameBytes the largest message a client may send, however fragmented or compressed
     * @param deflate       permessage-deflate is offered ({@link BoundedDeflate}, installed by the server)
     */
    public static TransportRoute route(SessionOpener opener, OriginPolicy origins, int maxFrameBytes, boolean deflate) {
        return new TransportRoute(NAME, PATH, new WebSocketEndpoint(opener, origins, maxFrameBytes, deflate));
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
    public void write(ByteBuf json) {
        channel.write(new TextWebSocketFrame(json), channel.voidPromise());
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
        LingeringClose.after(channel.writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason())));
    }
}
