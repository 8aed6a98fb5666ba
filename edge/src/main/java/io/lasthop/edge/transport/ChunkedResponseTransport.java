package io.lasthop.edge.transport;

import io.lasthop.edge.http.LingeringClose;
import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A transport that is one long chunked HTTP response (SSE, HTTP streaming): each frame becomes one
 * chunk in the subclass's framing. Client frames come by POST.
 */
public abstract class ChunkedResponseTransport extends ChannelTransport {
    /** Some proxies and old browsers hold back the first 2 KiB of a response. */
    public static final int PADDING_BYTES = 2048;

    protected ChunkedResponseTransport(Channel channel) {
        super(channel);
    }

    /**
     * Writes the response head, with the headers that stop proxies from buffering or transforming
     * it, and then {@code preamble}, and hands the connection to a {@link ChunkedConnectionHandler}.
     */
    public static void start(
            ChannelHandlerContext ctx, String contentType, ByteBuf preamble, ChunkedConnectionHandler handler) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-transform")
                .set("X-Accel-Buffering", "no")
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.write(res);
        ctx.write(new DefaultHttpContent(preamble));
        ctx.pipeline().replace(ctx.name(), "stream-session", handler);
    }

    /** {@code prefix}, {@code bytes} spaces, then {@code suffix}: a block a client skips. */
    public static ByteBuf padding(ByteBufAllocator alloc, String prefix, String suffix) {
        ByteBuf pad = alloc.buffer(prefix.length() + PADDING_BYTES + suffix.length());
        ByteBufUtil.writeAscii(pad, prefix);
        ByteBufUtil.writeAscii(pad, " ".repeat(PADDING_BYTES));
        ByteBufUtil.writeAscii(pad, suffix);
        return pad;
    }

    /** One frame in this transport's framing; releases {@code json}. */
    protected abstract ByteBuf frame(ByteBuf json);

    @Override
    public boolean unidirectional() {
        return true;
    }

    @Override
    public void write(ByteBuf json) {
        channel.write(new DefaultHttpContent(frame(json)), channel.voidPromise());
    }

    @Override
    public void close(CloseCode code, ByteBuf closeFrame) {
        if (closeFrame != null) {
            write(closeFrame);
        }
        LingeringClose.after(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
    }
}
