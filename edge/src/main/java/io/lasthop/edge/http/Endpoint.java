package io.lasthop.edge.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/** Handles the requests of one path. The request is released after the call: retain it to keep it. */
public interface Endpoint {
    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query);
}
