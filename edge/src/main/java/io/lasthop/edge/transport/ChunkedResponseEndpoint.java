package io.lasthop.edge.transport;

import io.lasthop.edge.auth.Principal;
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
 * {@code GET} endpoint of a streamed transport (SSE, HTTP streaming): authenticates, attaches the
 * session, then answers with one long response. Client frames come by {@code POST /lasthop/frames}.
 */
public final class HttpStreamEndpoint implements Endpoint {
    private final SessionOpener opener;
    private final String contentType;
    private final Function<Channel, ByteBuf> preamble;
    private final CharSequence sessionHeader;
    private final BiFunction<Channel, String, HttpStreamTransport> transport;

    /**
     * @param sessionHeader a request header that names the session to resume and wins over the
     *                      {@code session} parameter (SSE's {@code Last-Event-ID}), or null
     * @param transport     makes the transport from the connection and the session id
     */
    public HttpStreamEndpoint(SessionOpener opener, String contentType, Function<Channel, ByteBuf> preamble,
                              CharSequence sessionHeader, BiFunction<Channel, String, HttpStreamTransport> transport) {
        this.opener = opener;
        this.contentType = contentType;
        this.preamble = preamble;
        this.sessionHeader = sessionHeader;
        this.transport = transport;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        if (!req.method().equals(HttpMethod.GET)) {
            HttpResponses.error(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST,
                    "open the stream with GET; send frames with POST /lasthop/frames");
            return;
        }
        SessionOpener.Admitted admitted = opener.admit(ctx, req, query, sessionHeader);
        if (admitted == null) {
            return;
        }
        Principal principal = admitted.principal();
        String sessionId = admitted.sessionId();
        opener.open(ctx, req, query, principal, sessionId, s -> {
            HttpStreamTransport.start(ctx, contentType, preamble.apply(ctx.channel()), new StreamConnectionHandler(s));
            s.attach(transport.apply(ctx.channel(), s.id()));
        });
    }
}
