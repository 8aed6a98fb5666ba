package io.lasthop.edge.transport;

import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.http.QueryParams;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.ClientFrameDecoder;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.FrameException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * {@code POST /lasthop/frames?session=ID&connection=ID&node=ID}: client frames for transports that
 * only stream downward. The body is one frame or a JSON array of frames. 204 means the session here
 * took them, 202 that they were forwarded to the node that holds it; answers to them (pongs,
 * errors) arrive on the session's stream. The connection id (from hello) binds the frames to one
 * stream: acks count deliveries per connection, so frames meant for a gone connection must not reach
 * the next one.
 */
public final class FramesEndpoint implements Endpoint {
    public static final String PATH = "/lasthop/frames";

    private final SessionOpener opener;

    public FramesEndpoint(SessionOpener opener) {
        this.opener = opener;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        if (!req.method().equals(HttpMethod.POST)) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    ErrorCode.BAD_REQUEST,
                    "send client frames with POST");
            return;
        }
        SessionOpener.Admitted admitted = opener.admit(ctx, req, query, null);
        if (admitted == null) {
            return;
        }
        if (admitted.sessionId() == null) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    ErrorCode.BAD_SESSION_ID,
                    "name the session: ?session=ID from the hello frame");
            return;
        }
        List<ClientFrame> frames;
        try {
            frames = ClientFrameDecoder.decodeBatch(ByteBufUtil.getBytes(req.content()));
        } catch (FrameException e) {
            HttpResponses.error(ctx, req, HttpResponseStatus.BAD_REQUEST, e.code(), e.getMessage());
            return;
        }
        String connection = QueryParams.first(query, "connection");
        if (connection == null || connection.isEmpty()) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    ErrorCode.BAD_REQUEST,
                    "name the connection: &connection=ID from the hello frame");
            return;
        }
        switch (opener.router()
                .frames(
                        admitted.principal().userId(),
                        admitted.sessionId(),
                        connection,
                        QueryParams.first(query, "node"),
                        frames)) {
            case HERE -> HttpResponses.noContent(ctx, req);
            case FORWARDED -> HttpResponses.status(ctx, req, HttpResponseStatus.ACCEPTED);
            case STALE_CONNECTION ->
                HttpResponses.error(
                        ctx,
                        req,
                        HttpResponseStatus.CONFLICT,
                        ErrorCode.STALE_CONNECTION,
                        "connection " + connection + " of this session is gone; its frames were dropped");
        }
    }
}
