package io.lasthop.edge.http;

import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.ServerFrames;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Complete HTTP responses: plain text, JSON, and the JSON error body every endpoint uses. */
public final class HttpResponses {
    private HttpResponses() {}

    /** An error answer; a 503 says Retry-After 2 s, a 429 1 s. */
    public static void error(
            ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, ErrorCode code, String message) {
        long retryAfter = status == HttpResponseStatus.SERVICE_UNAVAILABLE
                ? 2
                : status == HttpResponseStatus.TOO_MANY_REQUESTS ? 1 : 0;
        error(ctx, req, status, code, message, retryAfter);
    }

    /** An error answer with a Retry-After of {@code retryAfterSeconds}, none when 0. */
    public static void error(
            ChannelHandlerContext ctx,
            HttpRequest req,
            HttpResponseStatus status,
            ErrorCode code,
            String message,
            long retryAfterSeconds) {
        FullHttpResponse res = response(status, "application/json", ServerFrames.httpError(code, message));
        if (retryAfterSeconds > 0) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        send(ctx, req, res);
    }

    /** 401 with the RFC 6750 challenge: no error attribute when no token was given at all. */
    public static void unauthorized(ChannelHandlerContext ctx, HttpRequest req, ErrorCode code, String message) {
        FullHttpResponse res =
                response(HttpResponseStatus.UNAUTHORIZED, "application/json", ServerFrames.httpError(code, message));
        res.headers()
                .set(
                        HttpHeaderNames.WWW_AUTHENTICATE,
                        code == ErrorCode.TOKEN_MISSING
                                ? "Bearer realm=\"lasthop\""
                                : "Bearer realm=\"lasthop\", error=\"invalid_token\"");
        send(ctx, req, res);
    }

    public static void text(
            ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status, String contentType, String body) {
        send(ctx, req, response(status, contentType, body.getBytes(StandardCharsets.UTF_8)));
    }

    public static void json(ChannelHandlerContext ctx, HttpRequest req, byte[] body) {
        send(ctx, req, response(HttpResponseStatus.OK, "application/json", body));
    }

    public static void noContent(ChannelHandlerContext ctx, HttpRequest req) {
        status(ctx, req, HttpResponseStatus.NO_CONTENT);
    }

    /** A response with no body. */
    public static void status(ChannelHandlerContext ctx, HttpRequest req, HttpResponseStatus status) {
        send(ctx, req, response(status, null, new byte[0]));
    }

    public static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(res, body.length);
        return res;
    }

    public static void send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
        send(ctx, req != null && HttpUtil.isKeepAlive(req), res);
    }

    public static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            LingeringClose.after(f);
        }
    }
}
