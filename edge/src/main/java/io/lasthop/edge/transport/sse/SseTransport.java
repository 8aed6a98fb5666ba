package io.lasthop.edge.transport.sse;

import io.lasthop.edge.transport.Transport;
import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events: each frame is one event whose {@code data} is the frame's JSON. The first
 * event carries the session id as its {@code id}, so a browser's own EventSource reconnect sends it
 * back as {@code Last-Event-ID} and resumes the session.
 */
public final class SseTransport implements Transport {
    public static final String NAME = "sse";
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Channel channel;
    private String eventId;

    public SseTransport(Channel channel, String sessionId) {
        this.channel = channel;
        this.eventId = sessionId;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean unidirectional() {
        return true;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public void write(ByteBuf json) {
        channel.write(new DefaultHttpContent(event(json)), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close(CloseCode code, ByteBuf closeFrame) {
        if (closeFrame != null) {
            write(closeFrame);
        }
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }

    private ByteBuf event(ByteBuf json) {
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

    /** Bytes of a comment that make buffering proxies and old browsers start delivering at once. */
    public static ByteBuf padding(Channel channel, int bytes) {
        ByteBuf pad = channel.alloc().buffer(bytes + 20);
        pad.writeByte(':');
        ByteBufUtil.writeAscii(pad, " ".repeat(bytes));
        pad.writeByte('\n');
        ByteBufUtil.writeAscii(pad, "retry: 1000\n\n");
        return pad;
    }
}
