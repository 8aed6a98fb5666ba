package io.lasthop.edge.transport.sse;

import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.transport.Endpoint;
import io.lasthop.edge.transport.HttpResponses;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code GET /lasthop/sse}: one long {@code text/event-stream} response. The client sends its frames
 * (acks, pongs, tokens) by {@code POST /lasthop/frames}.
 */
public final class SseEndpoint implements Endpoint {
    public static final String PATH = "/lasthop/sse";
    /** Some proxies and old browsers hold back the first 2 KiB of a response. */
    static final int PADDING_BYTES = 2048;

    private final SessionOpener opener;

    public SseEndpoint(SessionOpener opener) {
        this.opener = opener;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        if (!req.method().equals(HttpMethod.GET)) {
            HttpResponses.error(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST,
                    "open the stream with GET; send frames with POST /lasthop/frames");
            return;
        }
        Principal principal = opener.authenticate(ctx, req, query);
        if (principal == null) {
            return;
        }
        SessionOpener.SessionParam session = opener.sessionParam(ctx, req, query, "Last-Event-ID");
        if (session.invalid()) {
            return;
        }
        opener.open(ctx, req, principal, session.id(), s -> {
            HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            res.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-transform")
                    .set("X-Accel-Buffering", "no")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.write(res);
            ctx.write(new DefaultHttpContent(SseTransport.padding(ctx.channel(), PADDING_BYTES)));
            ctx.pipeline().replace(ctx.name(), "sse-session", new SseSessionHandler(s));
            s.attach(new SseTransport(ctx.channel(), s.id()));
        });
    }
}
