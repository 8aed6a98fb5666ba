package io.lasthop.edge.http;

import io.netty.channel.Channel;

/**
 * What an endpoint tells the handlers at the head of its connection's pipeline, which enforce the
 * server's limits. Fired as user events, so that endpoints need not know those handlers. On an
 * HTTP/2 stream they reach the stream's pipeline and its connection's.
 */
public enum ConnectionEvents {
    /** A request on the connection carried a valid token: it no longer counts as unauthenticated. */
    AUTHENTICATED,
    /**
     * The connection (or stream) now carries a session: a WebSocket, or an SSE or streaming
     * response. The session's heartbeat, not the request timeout, watches it.
     */
    SESSION_ATTACHED;

    public static void authenticated(Channel channel) {
        fire(channel, AUTHENTICATED);
    }

    public static void sessionAttached(Channel channel) {
        fire(channel, SESSION_ATTACHED);
    }

    private static void fire(Channel channel, ConnectionEvents event) {
        channel.pipeline().fireUserEventTriggered(event);
        if (channel.parent() != null) {
            channel.parent().pipeline().fireUserEventTriggered(AUTHENTICATED);
        }
    }
}
