package io.lasthop.bench.client;

import io.lasthop.protocol.AmqpNames;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * An abusive client with a session (issue 11, finding 1): it opens a session as the ordinary
 * client does, reads its {@code hello}, then never reads again and keeps sending pings, which the
 * edge answers with pongs on the stream the client does not read:
 * <ul>
 *   <li>websocket: pings on the WebSocket itself, while the socket takes them;
 *   <li>sse: the stream is left unread; the pings are POSTed to {@code /lasthop/frames};
 *   <li>poll: the client drops its poll connection and never polls again (the edge keeps the
 *       session for {@code poll.linger}); the pings are POSTed to {@code /lasthop/frames}.
 * </ul>
 * The client notices the end of the session when its WebSocket or stream closes (often only
 * when a write meets the edge's reset: it reads nothing), or when a POST is not answered 204.
 */
final class NonReadingSession extends AbusiveConnection {
    private static final String PING = "{\"t\":\"ping\"}";

    private final ClientPool pool;
    private final String user;
    private final Transport transport;
    private final String resume;
    private volatile ClientSession session;
    private volatile FramePoster poster;
    private long pings;

    /** @param resume the query resuming the abuser's session ({@link #resumeQuery()}), or empty */
    NonReadingSession(
            ClientPool pool,
            AbuseKind kind,
            AbuseSettings settings,
            AbuseTally.Counters counters,
            String user,
            String resume) {
        super(kind, settings, counters);
        this.pool = pool;
        this.user = user;
        this.resume = resume;
        this.transport = switch (kind) {
            case WEBSOCKET_PINGER -> Transport.WEBSOCKET;
            case SSE_PINGER -> Transport.SSE;
            case POLL_PINGER -> Transport.POLL;
            default -> throw new IllegalArgumentException(kind + " has no session");
        };
    }

    @Override
    void start() {
        pool.open(user, transport, resume).whenComplete((s, e) -> {
            if (e != null) {
                refused(ClientPool.describe(e));
            } else {
                s.channel.eventLoop().execute(() -> onHello(s));
            }
        });
    }

    private void onHello(ClientSession s) {
        session = s;
        Channel ch = s.channel;
        if (transport == Transport.POLL) {
            // A tab that stops polling: its poll connection goes, its session lingers on the edge.
            s.closeSocket();
        } else {
            ch.config().setAutoRead(false);
            ch.closeFuture().addListener(f -> endedByEdge(transport.wireName + " socket closed"));
        }
        if (transport != Transport.WEBSOCKET) {
            poster = new FramePoster(
                    pool,
                    ch.eventLoop(),
                    FramePoster.uri(s),
                    s.token,
                    FramePoster.pings(settings.pingsPerTick()),
                    new FramePoster.Listener() {
                        @Override
                        public void answered(int status) {
                            counters.postAnswered(status);
                            if (status != 204) {
                                // 202: no longer held here (forwarded); 409: that connection is gone.
                                endedByEdge("POST answered " + status);
                            }
                        }

                        @Override
                        public void lost(String why) {
                            endedByEdge(why);
                        }
                    });
        }
        opened(ch.eventLoop());
    }

    @Override
    void tick() {
        if (pings >= settings.maxPingsPerConnection()) {
            return;
        }
        if (transport == Transport.WEBSOCKET) {
            Channel ch = session.channel;
            int n = 0;
            while (n < settings.pingsPerTick() && pings < settings.maxPingsPerConnection() && ch.isWritable()) {
                ch.write(new TextWebSocketFrame(PING));
                n++;
                pings++;
            }
            if (n > 0) {
                // Counted before they can arrive: whoever sees a ping at the other end also sees it
                // in the tally.
                counters.pings.add(n);
                ch.flush();
            }
        } else if (poster.post()) {
            pings += settings.pingsPerTick();
            counters.pings.add(settings.pingsPerTick());
        }
    }

    @Override
    void closeSockets() {
        FramePoster p = poster;
        if (p != null) {
            p.close();
        }
        ClientSession s = session;
        if (s != null) {
            s.closeSocket();
        }
    }

    /**
     * Resumes the session of the latest hello. A long-poll resumes by session alone: naming its
     * dead connection would first be answered with that connection's farewell {@code close}
     * frame and no hello, which the edge's metrics count anyway.
     */
    @Override
    String resumeQuery() {
        ClientSession s = session;
        if (s == null) {
            return resume;
        }
        return transport == Transport.POLL
                ? "&session=" + s.sessionId + (s.node == null ? "" : "&node=" + s.node)
                : s.resumeQuery();
    }

    @Override
    String sessionQueue() {
        ClientSession s = session;
        return s == null ? null : AmqpNames.sessionQueue(user, s.sessionId);
    }
}
