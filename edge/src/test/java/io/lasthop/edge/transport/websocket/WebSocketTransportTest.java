package io.lasthop.edge.transport.websocket;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WebSocketTransportTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final WebSocketTransport ws = new WebSocketTransport(channel);

    @Test
    void describesItself() {
        assertEquals("websocket", ws.name());
        assertFalse(ws.unidirectional());
        assertTrue(ws.alloc() == channel.alloc());
        assertTrue(ws.isWritable());
    }

    @Test
    void writeEmitsOneTextFrameOnFlush() {
        ws.write(buf("{\"t\":\"hello\"}"));
        ws.write(buf("{\"t\":\"msg\",\"body\":\"é\\n\"}"));
        assertNull(channel.readOutbound(), "nothing leaves before flush");
        ws.flush();
        assertEquals("{\"t\":\"hello\"}", readText());
        assertEquals("{\"t\":\"msg\",\"body\":\"é\\n\"}", readText());
        assertFalse(channel.finish());
    }

    @Test
    void writeTakesOverTheBuffer() {
        ByteBuf json = buf("{}");
        ws.write(json);
        ws.flush();
        TextWebSocketFrame frame = channel.readOutbound();
        assertTrue(frame.content() == json, "the frame wraps the buffer without copying");
        frame.release();
        assertEquals(0, json.refCnt());
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @EnumSource(CloseCode.class)
    void closeSendsTheCloseFrameThenTheCloseCodeThenCloses(CloseCode code) {
        String frame = "{\"t\":\"close\",\"code\":" + code.code() + "}";
        ws.close(code, buf(frame));

        assertEquals(frame, readText());
        CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, channel.readOutbound());
        try {
            assertEquals(code.code(), close.statusCode());
            assertEquals(code.reason(), close.reasonText());
        } finally {
            close.release();
        }
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void closeWithoutAFrameSendsOnlyTheCloseCode() {
        ws.close(CloseCode.HEARTBEAT_TIMEOUT, null);
        CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, channel.readOutbound());
        try {
            assertEquals(4002, close.statusCode());
        } finally {
            close.release();
        }
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    /** Transport.close: "code null means just close". */
    @Test
    void closeWithoutCodeJustCloses() {
        assertDoesNotThrow(() -> ws.close(null, null));
        Object out = channel.readOutbound();
        try {
            assertTrue(out == null || out instanceof CloseWebSocketFrame, String.valueOf(out));
        } finally {
            ReferenceCountUtil.release(out);
        }
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    private String readText() {
        TextWebSocketFrame frame = assertInstanceOf(TextWebSocketFrame.class, channel.readOutbound());
        try {
            return frame.text();
        } finally {
            frame.release();
        }
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
