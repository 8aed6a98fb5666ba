package io.lasthop.edge.transport.sse;

import io.lasthop.edge.transport.ChunkedResponseEndpoint;
import io.lasthop.edge.transport.ChunkedResponseTransport;
import io.lasthop.edge.transport.SessionOpener;
import io.lasthop.edge.transport.TransportRoute;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events: each frame is one event whose {@code data} is the frame's JSON. The first
 * event carries the session id as its {@code id}, so a browser's own EventSource reconnect sends it
 * back as {@code Last-Event-ID} and resumes the session.
 */
public final class SseTransport extends ChunkedResponseTransport {
    public static final String NAME = "sse";
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private String eventId;

    public SseTransport(Channel channel, String sessionId) {
        super(channel);
        this.eventId = sessionId;
    }

    public static final String PATH = "/lasthop/sse";

    /** {@code GET /lasthop/sse}; {@code Last-Event-ID} names the session on EventSource's own reconnects. */
    public static TransportRoute route(SessionOpener opener) {
        return new TransportRoute(
                NAME,
                PATH,
                new ChunkedResponseEndpoint(
                        opener, CONTENT_TYPE, SseTransport::preamble, "Last-Event-ID", SseTransport::new));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A comment that starts delivery through buffering proxies, then the reconnect delay. */
    public static ByteBuf preamble(Channel channel) {
        return padding(channel.alloc(), ":", "\nretry: 1000\n\n");
    }

    @Override
    protected ByteBuf frame(ByteBuf json) {
        try {
            int len = json.readableBytes();
            ByteBuf out = channel.alloc().buffer(len + 16 + (eventId == null ? 0 : eventId.length() + 5));
            if (eventId != null) {
                out.writeCharSequence("id: " + eventId + "\n", StandardCharsets.US_ASCII);
                eventId = null;
            }
            out.writeBytes(DATA);
            // A line break ends a data line: JSON can only hold raw ones between tokens (an embedded
            // JSON body), where the next data line's joining "\n" is equally valid whitespace.
            for (int i = json.readerIndex(), end = json.writerIndex(); i < end; i++) {
                byte b = json.getByte(i);
                if (b == '\n' || b == '\r') {
                    out.writeByte('\n');
                    out.writeBytes(DATA);
                    if (b == '\r' && i + 1 < end && json.getByte(i + 1) == '\n') {
                        i++;
                    }
                } else {
                    out.writeByte(b);
                }
            }
            out.writeBytes(END);
            return out;
        } finally {
            json.release();
        }
    }
}
