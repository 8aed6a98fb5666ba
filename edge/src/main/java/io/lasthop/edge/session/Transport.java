package io.lasthop.edge.session;

import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The downstream of one client connection. A transport only frames: the session decides what to
 * send. Methods are called on the session's event loop.
 */
public interface Transport {
    /** Name used in metrics and the hello frame: {@code websocket}, {@code sse}, {@code stream}, {@code poll}. */
    String name();

    /** True when the client sends its frames by POST rather than on this connection. */
    boolean unidirectional();

    /** The allocator for the session's frames. */
    ByteBufAllocator alloc();

    /** False while the client cannot take more: delivery pauses until {@code writabilityChanged}. */
    boolean isWritable();

    /** True when the session should send {@code ping} frames; a long-poll needs none. */
    default boolean wantsPings() {
        return true;
    }

    /**
     * Bytes written and not yet taken by the client: in the socket's outbound buffer, or queued
     * for the next poll.
     */
    long pendingBytes();

    /** Writes one frame (a JSON object, whose reference this call takes over) without flushing. */
    void write(ByteBuf json);

    void flush();

    /** Writes a last frame, if any, and ends the connection; {@code code} null means just close. */
    void close(CloseCode code, ByteBuf closeFrame);
}
