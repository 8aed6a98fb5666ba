package io.lasthop.edge.server;

import io.lasthop.edge.http.HttpResponses;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/** Aggregates request bodies up to the frame limit, and refuses larger ones with a JSON 413. */
final class FrameLimitAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    FrameLimitAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    /** No "100 Continue" for a body announced too large: let it reach the JSON 413 below. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (oversized instanceof HttpRequest req) {
            // The rest of the body may still be arriving: answer, then close rather than read it.
            HttpUtil.setKeepAlive(req, false);
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    ErrorCode.FRAME_TOO_LARGE,
                    "request body exceeds " + maxBytes + " bytes");
        } else {
            ctx.close();
        }
    }
}
