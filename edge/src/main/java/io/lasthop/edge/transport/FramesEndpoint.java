package io.lasthop.edge.transport;

import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.session.Session;
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
 * {@code POST /lasthop/frames?session=ID&connection=ID}: client frames for transports that only
 * stream downward. The body is one frame or a JSON array of frames. 204 means the session took them;
 * answers to them (pongs, errors) arrive on the session's stream. The connection id (from hello)
 * binds the frames to one stream: acks count deliveries per connection, so frames meant for a gone
 * connection must not reach the next one.
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
            HttpResponses.error(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.BAD_REQUEST,
                    "send client frames with POST");
            return;
        }
        SessionOpener.Admitted admitted = opener.admit(ctx, req, query, null);
        if (admitted == null) {
            return;
        }
        Principal principal = admitted.principal();
        String sessionId = admitted.sessionId();
        if (sessionId == null) {
            HttpResponses.error(ctx, req, HttpResponseStatus.BAD_REQUEST, ErrorCode.BAD_SESSION_ID,
                    "name the session: ?session=ID from the hello frame");
            return;
        }
        List<ClientFrame> frames;
        byte[] body = ByteBufUtil.getBytes(req.content());
        try {
            frames = ClientFrameDecoder.decodeBatch(body);
        } catch (FrameException e) {
            HttpResponses.error(ctx, req, HttpResponseStatus.BAD_REQUEST, e.code(), e.getMessage());
            return;
        }
        String connection = SessionOpener.first(query, "connection");
        if (connection == null || connection.isEmpty()) {
            HttpResponses.error(ctx, req, HttpResponseStatus.BAD_REQUEST, ErrorCode.BAD_REQUEST,
                    "name the connection: &connection=ID from the hello frame");
            return;
        }
        Session session = opener.sessions().find(principal.userId(), sessionId);
        if (session == null) {
            // Held by another node, or by none: hand the frames on, to the node the client names.
            opener.sessions().forward(principal.userId(), sessionId, connection, opener.otherNode(query),
                    new String(body, java.nio.charset.StandardCharsets.UTF_8));
            HttpResponses.status(ctx, req, HttpResponseStatus.ACCEPTED);
            return;
        }
        if (!connection.equals(session.connectionId())) {
            HttpResponses.error(ctx, req, HttpResponseStatus.CONFLICT, ErrorCode.STALE_CONNECTION,
                    "connection " + connection + " of this session is gone; its frames were dropped");
            return;
        }
        session.eventLoop().execute(() -> session.onClientFrames(frames));
        HttpResponses.noContent(ctx, req);
    }
}
