package io.lasthop.edge.http;

import io.netty.channel.Channel;

/**
 * What an endpoint tells the connection's guard at the head of the pipeline. Fired as user events,
 * so that endpoints need not know the handlers that enforce the server's limits.
 */
public enum ConnectionEvents {
    /**
     * The connection now carries a session (a WebSocket, or an SSE or streaming response): it is
     * authenticated, and the session's heartbeat, not the request timeout, watches it.
     */
    SESSION_ATTACHED;

    public static void sessionAttached(Channel channel) {
        channel.pipeline().fireUserEventTriggered(SESSION_ATTACHED);
    }
}
