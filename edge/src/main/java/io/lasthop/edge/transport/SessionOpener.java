package io.lasthop.edge.transport;

import io.lasthop.edge.auth.AuthException;
import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.auth.TokenVerifier;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.session.Session;
import io.lasthop.edge.session.SessionManager;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every transport's endpoint does before it can talk to a session: verify the token, read the
 * session id, and attach the session to the broker. Each refusal is an HTTP error with a JSON body,
 * sent before any upgrade or stream starts.
 */
public final class SessionOpener {
    private static final Logger log = LoggerFactory.getLogger(SessionOpener.class);
    private static final String BEARER = "Bearer ";

    private final SessionManager sessions;
    private final TokenVerifier tokens;
    private final EdgeMetrics metrics;
    private final BooleanSupplier accepting;

    /** @param accepting false while the broker is unreachable: new sessions get 503 */
    public SessionOpener(SessionManager sessions, TokenVerifier tokens, EdgeMetrics metrics, BooleanSupplier accepting) {
        this.sessions = sessions;
        this.tokens = tokens;
        this.metrics = metrics;
        this.accepting = accepting;
    }

    public SessionManager sessions() {
        return sessions;
    }

    /**
     * Who asks, and for which session: the verified principal and the session id to resume (null
     * for none). Returns null after answering 401 or 400.
     */
    public Admitted admit(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query,
                          CharSequence sessionHeader) {
        Principal principal = authenticate(ctx, req, query);
        if (principal == null) {
            return null;
        }
        SessionParam session = sessionParam(ctx, req, query, sessionHeader);
        return session.invalid() ? null : new Admitted(principal, session.id());
    }

    /** An authenticated request, and the session id it names, or null. */
    public record Admitted(Principal principal, String sessionId) {}

    /** The verified principal, or null after answering 401. */
    public Principal authenticate(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        String token = first(query, "token");
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (token == null && header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = header.substring(BEARER.length()).trim();
        }
        try {
            return tokens.verify(token);
        } catch (AuthException e) {
            metrics.authFailure(e.code());
            HttpResponses.unauthorized(ctx, req, e.code(), e.getMessage());
            return null;
        }
    }

    /**
     * The session id the client asks to resume: the named header when present (SSE's
     * {@code Last-Event-ID}, which EventSource sends on its own reconnects and which always holds the
     * newest session id, while its URL may hold an older one), else the {@code session} parameter.
     * Answers 400 and returns {@link SessionParam#INVALID} for an id not of the form the edge issues.
     */
    public SessionParam sessionParam(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query,
                                     CharSequence preferredHeader) {
        String id = preferredHeader == null ? null : req.headers().get(preferredHeader);
        if (id == null || id.isEmpty()) {
            id = first(query, "session");
        }
        if (id == null || id.isEmpty()) {
            return SessionParam.NONE;
        }
        if (!AmqpNames.isValidSessionId(id)) {
            metrics.clientError(ErrorCode.BAD_SESSION_ID);
            HttpResponses.error(ctx, req, HttpResponseStatus.BAD_REQUEST, ErrorCode.BAD_SESSION_ID,
                    "a session id is 22 characters of [A-Za-z0-9_-], as the hello frame gave it");
            return SessionParam.INVALID;
        }
        return new SessionParam(id);
    }

    /**
     * Attaches a session for {@code principal}, then calls {@code onOpen} on the connection's event
     * loop if the connection is still there. Answers 503 if the broker is unreachable.
     */
    public void open(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query, Principal principal,
                     String requestedId, Consumer<Session> onOpen) {
        if (!accepting.getAsBoolean()) {
            HttpResponses.error(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.UNAVAILABLE,
                    "the broker is unreachable; retry, ideally on another node");
            return;
        }
        if (requestedId != null) {
            String node = otherNode(query);
            if (node != null || !sessions.node().equals(first(query, "node"))) {
                // The session may be held elsewhere: have it released rather than wait for its
                // old connection to time out. Here, SessionManager.open takes it over itself.
                sessions.release(principal.userId(), requestedId, first(query, "connection"), node);
            }
        }
        Session session = sessions.newSession(ctx.channel().eventLoop(), principal);
        req.retain();
        sessions.open(session, requestedId).whenComplete((s, err) -> ctx.executor().execute(() -> {
            try {
                if (err != null) {
                    log.warn("opening a session for {} failed: {}", principal.userId(), err.toString());
                    HttpResponses.error(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.UNAVAILABLE,
                            "the broker refused or dropped the session; retry");
                    return;
                }
                if (!ctx.channel().isActive()) {
                    session.close(null, null);
                    return;
                }
                onOpen.accept(session);
            } finally {
                req.release();
            }
        }));
    }

    /** The node the client's last hello named, unless it is this one or none. */
    public String otherNode(QueryStringDecoder query) {
        String node = first(query, "node");
        return node == null || node.isEmpty() || node.equals(sessions.node()) ? null : node;
    }

    public static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A requested session id: {@link #NONE}, {@link #INVALID} (already answered), or an id. */
    public record SessionParam(String id) {
        public static final SessionParam NONE = new SessionParam(null);
        public static final SessionParam INVALID = new SessionParam("");

        public boolean invalid() {
            return this == INVALID;
        }
    }
}
