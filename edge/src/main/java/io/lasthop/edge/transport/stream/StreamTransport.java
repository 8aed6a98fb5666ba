package io.lasthop.edge.transport.stream;

import io.lasthop.edge.transport.ChunkedResponseEndpoint;
import io.lasthop.edge.transport.ChunkedResponseTransport;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.edge.transport.TransportRoute;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * HTTP streaming for clients without EventSource, read with {@code fetch} and a stream reader (or
 * XHR's progress events): newline-delimited JSON, one frame per line, after a padding line.
 */
public final class StreamTransport extends ChunkedResponseTransport {
    public static final String NAME = "stream";
    public static final String PATH = "/lasthop/stream";
    public static final String CONTENT_TYPE = "application/x-ndjson; charset=utf-8";

    public StreamTransport(Channel channel) {
        super(channel);
    }

    /** {@code GET /lasthop/stream}. */
    public static TransportRoute route(SessionOpener opener) {
        return new TransportRoute(
                NAME,
                PATH,
                new ChunkedResponseEndpoint(
                        opener,
                        CONTENT_TYPE,
                        ch -> padding(ch.alloc(), "", "\n"),
                        null,
                        (ch, session) -> new StreamTransport(ch)));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected ByteBuf frame(ByteBuf json) {
        try {
            ByteBuf out = channel.alloc().buffer(json.readableBytes() + 1);
            // Raw line breaks in a frame can only sit between JSON tokens (an embedded JSON body):
            // as spaces they keep the JSON equal and the frame on one line.
            for (int i = json.readerIndex(), end = json.writerIndex(); i < end; i++) {
                byte b = json.getByte(i);
                out.writeByte(b == '\n' || b == '\r' ? ' ' : b);
            }
            out.writeByte('\n');
            return out;
        } finally {
            json.release();
        }
    }
}
