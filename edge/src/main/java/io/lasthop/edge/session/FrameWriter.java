package io.lasthop.edge.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Writes one server frame as JSON, e.g. {@code ServerFrames::writePong}. */
@FunctionalInterface
interface FrameWriter {
    void write(OutputStream out) throws IOException;

    /** The frame in a buffer of {@code alloc}, which the caller then owns. */
    static ByteBuf encode(ByteBufAllocator alloc, FrameWriter writer) {
        ByteBuf buf = alloc.buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            writer.write(out);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return buf;
    }
}
