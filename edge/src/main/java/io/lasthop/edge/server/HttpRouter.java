package io.lasthop.edge.server;

import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dispatches each request to the endpoint of its path. Stateless: one instance serves all connections. */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

    private final Map<String, Endpoint> endpoints;

    HttpRouter(Map<String, Endpoint> endpoints) {
        this.endpoints = Map.copyOf(endpoints);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (!result.isSuccess()) {
            HttpResponses.error(
                    ctx,
                    null,
                    HttpResponseStatus.BAD_REQUEST,
                    ErrorCode.BAD_REQUEST,
                    "malformed HTTP request: " + result.cause().getMessage());
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        Endpoint endpoint = endpoints.get(query.path());
        if (endpoint == null) {
            HttpResponses.error(
                    ctx, req, HttpResponseStatus.NOT_FOUND, ErrorCode.NOT_FOUND, "no endpoint at " + query.path());
            return;
        }
        endpoint.handle(ctx, req, query);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing HTTP connection: {}", cause.toString());
        ctx.close();
    }
}
