package io.lasthop.edge.transport.poll;

import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.http.QueryParams;
import io.lasthop.edge.session.Session;
import io.lasthop.edge.session.SessionRegistry;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.ClientFrameDecoder;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.FrameException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET|POST /lasthop/poll?session=S&connection=C&node=N}: one long-poll. A POST body carries
 * client frames to apply first, typically the acks of the previous answer. A poll that names no
 * connection of a session here (the first poll, or one that landed on another node than the last)
 * attaches the session and is answered with a new {@code hello}: its acks are forwarded to the
 * node that made those deliveries, which then releases the session to this one. So polls may
 * alternate between nodes and nothing is lost; redeliveries that a move causes carry the same id,
 * for the client to drop.
 */
final class PollEndpoint implements Endpoint {
    /**
     * True unless the client names the number of the last answer sent: otherwise an answer may
     * have been lost on the way (a proxy timeout, a dropped connection), and its frames would be
     * covered by the client's next cumulative ack without ever being seen. The connection then
     * starts over: a new hello, and every unacked delivery again.
     */
    private static boolean answerLost(QueryStringDecoder query, PollTransport poll) {
        String answered = QueryParams.first(query, "answered");
        if (answered == null) {
            return true;
        }
        try {
            return Long.parseLong(answered) != poll.answers();
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private final SessionOpener opener;
    private final SessionRegistry sessions;
    private final Farewells farewells = new Farewells();
    private final LongAdder pending;
    private final long timeoutMillis;
    private final long lingerMillis;

    PollEndpoint(
            SessionOpener opener, SessionRegistry sessions, LongAdder pending, long timeoutMillis, long lingerMillis) {
        this.opener = opener;
        this.sessions = sessions;
        this.pending = pending;
        this.timeoutMillis = timeoutMillis;
        this.lingerMillis = lingerMillis;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.POST)) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    ErrorCode.BAD_REQUEST,
                    "poll with GET, or POST with client frames in the body");
            return;
        }
        SessionOpener.Admitted admitted = opener.admit(ctx, req, query, null);
        if (admitted == null) {
            return;
        }
        Principal principal = admitted.principal();
        String sessionId = admitted.sessionId();
        List<ClientFrame> frames = List.of();
        if (req.content().isReadable()) {
            try {
                frames = ClientFrameDecoder.decodeBatch(ByteBufUtil.getBytes(req.content()));
            } catch (FrameException e) {
                HttpResponses.error(ctx, req, HttpResponseStatus.BAD_REQUEST, e.code(), e.getMessage());
                return;
            }
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String connection = QueryParams.first(query, "connection");
        byte[] farewell = connection == null || sessionId == null
                ? null
                : farewells.take(AmqpNames.sessionQueue(principal.userId(), sessionId), connection);
        if (farewell != null) {
            // The connection was closed while no poll was held: this poll carries the news.
            HttpResponses.send(
                    ctx,
                    keepAlive,
                    HttpResponses.response(
                            HttpResponseStatus.OK,
                            "application/json",
                            ("[" + new String(farewell, java.nio.charset.StandardCharsets.UTF_8) + "]")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return;
        }
        Session live = sessionId == null ? null : sessions.find(principal.userId(), sessionId);
        if (live != null
                && connection != null
                && connection.equals(live.connectionId())
                && live.transport() instanceof PollTransport poll
                && !answerLost(query, poll)) {
            List<ClientFrame> apply = frames;
            live.eventLoop().execute(() -> {
                live.onClientFrames(apply);
                poll.hold(ctx, keepAlive);
            });
            return;
        }
        List<ClientFrame> acks =
                frames.stream().filter(f -> f instanceof ClientFrame.Ack).toList();
        if (live == null && sessionId != null && connection != null && !acks.isEmpty()) {
            // The previous poll was answered by another node: its acks belong to that node's channel.
            opener.router().forward(principal.userId(), sessionId, connection, QueryParams.first(query, "node"), acks);
        }
        List<ClientFrame> carried =
                frames.stream().filter(f -> !(f instanceof ClientFrame.Ack)).toList();
        opener.open(ctx, req, query, admitted, s -> {
            PollTransport poll =
                    new PollTransport(PollTransport.ownedBy(s), timeoutMillis, lingerMillis, farewells, pending);
            s.attach(poll);
            if (!carried.isEmpty()) {
                s.onClientFrames(carried);
            }
            poll.hold(ctx, keepAlive, s.resumed() ? 2 : 1);
        });
    }
}
