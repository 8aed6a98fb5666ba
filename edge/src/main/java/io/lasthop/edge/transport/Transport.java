package io.lasthop.edge.transport;

import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The downstream of one client connection. A transport only frames: the session decides what to
 * send. Methods are called on the connection's event loop.
 */
public interface Transport {
    /** Name used in metrics and the hello frame: {@code websocket}, {@code sse}. */
    String name();

    /** True when the client sends its frames by POST rather than on this connection. */
    boolean unidirectional();

    Channel channel();

    /** Writes one frame (a JSON object, whose reference this call takes over) without flushing. */
    void write(ByteBuf json);

    void flush();

    /** Writes a last frame, if any, and ends the connection; {@code code} null means just close. */
    void close(CloseCode code, ByteBuf closeFrame);
}
