package io.lasthop.edge.transport.websocket;

import io.lasthop.edge.http.ConnectionEvents;
import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.http.OriginPolicy;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/**
 * {@code GET /lasthop/ws}: authenticates and attaches the session before the upgrade, so a bad
 * token or an unreachable broker is an HTTP error the browser can see, not a bare close.
 */
final class WebSocketEndpoint implements Endpoint {
    private final SessionOpener opener;
    private final OriginPolicy origins;
    private final int maxFrameBytes;
    private final WebSocketDecoderConfig decoderConfig;

    /** @param deflate permessage-deflate may be negotiated, so frames may carry RSV1 */
    WebSocketEndpoint(SessionOpener opener, OriginPolicy origins, int maxFrameBytes, boolean deflate) {
        this.opener = opener;
        this.origins = origins;
        this.maxFrameBytes = maxFrameBytes;
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrameBytes)
                .allowExtensions(deflate)
                .closeOnProtocolViolation(true)
                .build();
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        if (!req.method().equals(HttpMethod.GET)
                || !req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    ErrorCode.BAD_REQUEST,
                    "this endpoint takes a WebSocket upgrade (GET with Upgrade: websocket)");
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!origins.allows(origin, req.headers().get(HttpHeaderNames.HOST))) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.FORBIDDEN,
                    ErrorCode.ORIGIN_FORBIDDEN,
                    "origin " + origin + " may not open a WebSocket here; add it to cors.origins");
            return;
        }
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + WebSocketTransport.PATH;
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(url, null, decoderConfig).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        opener.admitAndOpen(ctx, req, query, null, s -> {
            ctx.pipeline().addAfter(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
            ctx.pipeline().addAfter("ws-aggregator", "ws-session", new WebSocketSessionHandler(s));
            ctx.pipeline().remove(ctx.name());
            handshaker.handshake(ctx.channel(), req).addListener(f -> {
                if (f.isSuccess()) {
                    s.attach(new WebSocketTransport(ctx.channel()));
                    ConnectionEvents.sessionAttached(ctx.channel());
                } else {
                    s.close(null, null);
                }
            });
        });
    }
}
