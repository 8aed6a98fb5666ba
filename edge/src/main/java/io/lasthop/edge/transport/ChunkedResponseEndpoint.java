package io.lasthop.edge.transport;

import io.lasthop.edge.http.ConnectionEvents;
import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code GET} endpoint of a transport that is one long chunked response (SSE, HTTP streaming): authenticates, attaches the
 * session, then answers with one long response. Client frames come by {@code POST /lasthop/frames}.
 */
public final class ChunkedResponseEndpoint implements Endpoint {
    private final SessionOpener opener;
    private final String contentType;
    private final Function<Channel, ByteBuf> preamble;
    private final CharSequence sessionHeader;
    private final BiFunction<Channel, String, ChunkedResponseTransport> transport;

    /**
     * @param sessionHeader a request header that names the session to resume and wins over the
     *                      {@code session} parameter (SSE's {@code Last-Event-ID}), or null
     * @param transport     makes the transport from the connection and the session id
     */
    public ChunkedResponseEndpoint(
            SessionOpener opener,
            String contentType,
            Function<Channel, ByteBuf> preamble,
            CharSequence sessionHeader,
            BiFunction<Channel, String, ChunkedResponseTransport> transport) {
        this.opener = opener;
        this.contentType = contentType;
        this.preamble = preamble;
        this.sessionHeader = sessionHeader;
        this.transport = transport;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        if (!req.method().equals(HttpMethod.GET)) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    ErrorCode.BAD_REQUEST,
                    "open the stream with GET; send frames with POST /lasthop/frames");
            return;
        }
        opener.admitAndOpen(ctx, req, query, sessionHeader, s -> {
            ChunkedResponseTransport.start(
                    ctx, contentType, preamble.apply(ctx.channel()), new ChunkedConnectionHandler(s));
            s.attach(transport.apply(ctx.channel(), s.id()));
            ConnectionEvents.sessionAttached(ctx.channel());
        });
    }
}
