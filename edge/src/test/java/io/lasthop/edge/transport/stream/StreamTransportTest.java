package io.lasthop.edge.transport.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamTransportTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final StreamTransport stream = new StreamTransport(channel);

    @Test
    void eachFrameIsOneLineEvenWithLineBreaksBetweenTokens() {
        ByteBuf json = Unpooled.copiedBuffer("{\"t\":\"msg\",\"body\":{\r\n\"a\":\n[1,\r2]}}", StandardCharsets.UTF_8);
        stream.write(json);
        stream.flush();
        assertEquals(0, json.refCnt(), "the frame's buffer is released");
        assertEquals("{\"t\":\"msg\",\"body\":{  \"a\": [1, 2]}}\n", read());
        assertFalse(channel.finish());
    }

    @Test
    void closeWritesTheCloseFrameThenEndsTheResponse() {
        stream.close(CloseCode.GOING_AWAY, Unpooled.copiedBuffer("{\"t\":\"close\"}", StandardCharsets.UTF_8));
        assertEquals("{\"t\":\"close\"}\n", read());
        Object last = channel.readOutbound();
        assertInstanceOf(LastHttpContent.class, last);
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    private String read() {
        HttpContent c = channel.readOutbound();
        try {
            return c.content().toString(StandardCharsets.UTF_8);
        } finally {
            c.release();
        }
    }
}
