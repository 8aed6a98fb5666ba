package io.lasthop.edge.transport;

import io.lasthop.edge.auth.AuthException;
import io.lasthop.edge.auth.Principal;
import io.lasthop.edge.auth.Revocations;
import io.lasthop.edge.auth.TokenVerifier;
import io.lasthop.edge.cluster.SessionRouter;
import io.lasthop.edge.http.ConnectionEvents;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.http.QueryParams;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.session.Session;
import io.lasthop.edge.session.SessionAttacher;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
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

    /** An authenticated request, and the session id it names, or null. */
    public record Admitted(Principal principal, String sessionId) {}

    private final SessionAttacher attacher;
    private final SessionRouter router;
    private final SessionAdmission admission;
    private final TokenVerifier tokens;
    private final Revocations revocations;
    private final EdgeMetrics metrics;
    private final BooleanSupplier accepting;
    private final boolean trustForwardedFor;

    /**
     * @param accepting         false while the node takes no new sessions (broker unreachable,
     *                          draining): 503
     * @param trustForwardedFor the client's address is the last {@code X-Forwarded-For} entry
     */
    public SessionOpener(
            SessionAttacher attacher,
            SessionRouter router,
            SessionAdmission admission,
            TokenVerifier tokens,
            Revocations revocations,
            EdgeMetrics metrics,
            BooleanSupplier accepting,
            boolean trustForwardedFor) {
        this.attacher = attacher;
        this.router = router;
        this.admission = admission;
        this.tokens = tokens;
        this.revocations = revocations;
        this.metrics = metrics;
        this.accepting = accepting;
        this.trustForwardedFor = trustForwardedFor;
    }

    public SessionRouter router() {
        return router;
    }

    /** Admits the request, then opens its session; see {@link #admit} and {@link #open}. */
    public void admitAndOpen(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            QueryStringDecoder query,
            CharSequence sessionHeader,
            Consumer<Session> onOpen) {
        Admitted admitted = admit(ctx, req, query, sessionHeader);
        if (admitted != null) {
            open(ctx, req, query, admitted, onOpen);
        }
    }

    /**
     * Who asks, and for which session: the verified principal and the session id to resume (null
     * for none). The session id is the named header's when present (SSE's {@code Last-Event-ID},
     * which EventSource sends on its own reconnects and which always holds the newest session id,
     * while its URL may hold an older one), else the {@code session} parameter's. Returns null after
     * answering 401, or 400 for a session id not of the form the edge issues.
     */
    public Admitted admit(
            ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query, CharSequence sessionHeader) {
        Principal principal = authenticate(ctx, req, query);
        if (principal == null) {
            return null;
        }
        String id = sessionHeader == null ? null : req.headers().get(sessionHeader);
        if (id == null || id.isEmpty()) {
            id = QueryParams.first(query, "session");
        }
        if (id == null || id.isEmpty()) {
            return new Admitted(principal, null);
        }
        if (!AmqpNames.isValidSessionId(id)) {
            metrics.clientError(ErrorCode.BAD_SESSION_ID);
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.BAD_REQUEST,
                    ErrorCode.BAD_SESSION_ID,
                    "a session id is 22 characters of [A-Za-z0-9_-], as the hello frame gave it");
            return null;
        }
        return new Admitted(principal, id);
    }

    private Principal authenticate(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        String token = QueryParams.first(query, "token");
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (token == null && header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = header.substring(BEARER.length()).trim();
        }
        try {
            Principal p = tokens.verify(token);
            revocations.check(p);
            ConnectionEvents.authenticated(ctx.channel());
            return p;
        } catch (AuthException e) {
            metrics.authFailure(e.code());
            HttpResponses.unauthorized(ctx, req, e.code(), e.getMessage());
            return null;
        }
    }

    /**
     * Attaches a session for the admitted request, then calls {@code onOpen} on the connection's
     * event loop if the connection is still there. Answers 503 if the node takes no new sessions or
     * the broker refuses, and 429 past a limit of {@link SessionAdmission}; neither reaches the
     * broker. A session held by another node is claimed from it first.
     */
    public void open(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            QueryStringDecoder query,
            Admitted admitted,
            Consumer<Session> onOpen) {
        if (!accepting.getAsBoolean()) {
            HttpResponses.error(
                    ctx,
                    req,
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    ErrorCode.UNAVAILABLE,
                    "the broker is unreachable; retry, ideally on another node");
            return;
        }
        String userId = admitted.principal().userId();
        SessionAdmission.Refusal refusal = admission.admit(userId, admitted.sessionId(), clientAddress(ctx, req));
        if (refusal != null) {
            HttpResponses.error(
                    ctx, req, refusal.status(), refusal.code(), refusal.message(), refusal.retryAfterSeconds());
            return;
        }
        if (admitted.sessionId() != null) {
            router.claim(
                    userId,
                    admitted.sessionId(),
                    QueryParams.first(query, "connection"),
                    QueryParams.first(query, "node"));
        }
        req.retain();
        attacher.open(ctx.channel().eventLoop(), admitted.principal(), admitted.sessionId())
                .whenComplete((s, err) -> ctx.executor().execute(() -> {
                    try {
                        if (err != null) {
                            attacher.openFailed(userId);
                            log.warn("opening a session for {} failed: {}", userId, err.toString());
                            HttpResponses.error(
                                    ctx,
                                    req,
                                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    ErrorCode.UNAVAILABLE,
                                    "the broker refused or dropped the session; retry");
                            return;
                        }
                        if (!ctx.channel().isActive()) {
                            s.close(null, null);
                            return;
                        }
                        onOpen.accept(s);
                    } finally {
                        req.release();
                    }
                }));
    }

    /** The client's address: the socket's peer, or behind a trusted balancer the one it forwarded. */
    private String clientAddress(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (trustForwardedFor) {
            String forwarded = req.headers().get("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                return forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
            }
        }
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : String.valueOf(ctx.channel().remoteAddress());
    }
}
