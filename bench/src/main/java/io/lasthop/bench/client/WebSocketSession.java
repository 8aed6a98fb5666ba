package io.lasthop.bench.client;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** A session over {@code /lasthop/ws}: one text message per frame, both ways. */
final class WebSocketSession extends ClientSession {
    WebSocketSession(ClientPool pool, String user, String token) {
        super(pool, user, token);
    }

    @Override
    Transport transport() {
        return Transport.WEBSOCKET;
    }

    @Override
    void initPipeline(ChannelPipeline p) {
        WebSocketPipeline.init(
                p,
                URI.create("ws://" + pool.hostHeader() + "/lasthop/ws?token=" + token + resume),
                null,
                this,
                "closed before hello",
                this::onFrameBytes);
    }

    @Override
    void sendAck(long seq) {
        channel.writeAndFlush(new TextWebSocketFrame("{\"t\":\"ack\",\"seq\":" + seq + "}"));
    }

    @Override
    void sendPong() {
        channel.writeAndFlush(new TextWebSocketFrame("{\"t\":\"pong\"}"));
    }

    @Override
    void sendRequest(long ref, String frame) {
        channel.writeAndFlush(new TextWebSocketFrame(frame));
    }

    @Override
    CompletableFuture<Void> close() {
        return WebSocketPipeline.close(this);
    }
}
