package io.lasthop.edge.transport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseTransportTest {
    private static final String SID = "AbCdEfGhIjKlMnOpQrStUv";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final SseTransport sse = new SseTransport(channel, SID);

    @Test
    void describesItself() {
        assertEquals("sse", sse.name());
        assertTrue(sse.unidirectional());
        assertTrue(sse.alloc() == channel.alloc());
        assertTrue(sse.isWritable());
    }

    @Test
    void firstEventCarriesTheSessionIdThenOnlyData() {
        sse.write(buf("{\"t\":\"hello\"}"));
        sse.write(buf("{\"t\":\"ping\"}"));
        sse.flush();
        assertEquals("id: " + SID + "\ndata: {\"t\":\"hello\"}\n\n", readEvent());
        assertEquals("data: {\"t\":\"ping\"}\n\n", readEvent());
        sse.write(buf("{\"t\":\"pong\"}"));
        sse.flush();
        assertEquals("data: {\"t\":\"pong\"}\n\n", readEvent());
        assertFalse(channel.finish());
    }

    @Test
    void noSessionIdMeansNoIdLine() {
        SseTransport anonymous = new SseTransport(channel, null);
        anonymous.write(buf("{}"));
        anonymous.flush();
        assertEquals("data: {}\n\n", readEvent());
        assertFalse(channel.finish());
    }

    @Test
    void writeDoesNotFlushAndTakesOverTheBuffer() {
        ByteBuf json = buf("{\"t\":\"ping\"}");
        sse.write(json);
        assertEquals(0, json.refCnt(), "the frame's buffer is released once copied into the event");
        assertNull(channel.readOutbound(), "nothing leaves before flush");
        sse.flush();
        assertTrue(readEvent().endsWith("data: {\"t\":\"ping\"}\n\n"));
        assertFalse(channel.finish());
    }

    /** A pretty-printed JSON body embedded in a msg frame holds raw line breaks of every kind. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"msg\",\"body\":{\n  \"a\": 1,\r\n  \"b\": [1,\r2],\r\n\r\n  \"c\": \"x\"\n}}",
                "\n{\"t\":\"msg\"}\n",
                "\r\n\r{\"t\":\r\r\"msg\"}\n\r"
            })
    void lineBreaksSplitIntoDataLinesThatRejoinToTheSameJson(String json) throws IOException {
        sse.write(buf("{}"));
        sse.write(buf(json));
        sse.flush();
        readEvent();
        String event = readEvent();

        assertFalse(event.contains("\r"), "a CR would end a line for the browser without a data: prefix");
        Map<String, List<String>> fields = parse(event);
        assertEquals(List.of("data"), List.copyOf(fields.keySet()), event);
        String rejoined = String.join("\n", fields.get("data"));
        assertEquals(JSON.readTree(json), JSON.readTree(rejoined));
        assertEquals(json.replace("\r\n", "\n").replace('\r', '\n'), rejoined, "only line breaks change");
        assertFalse(channel.finish());
    }

    @Test
    void closeWritesTheCloseFrameThenEndsTheResponse() {
        sse.write(buf("{\"t\":\"hello\"}"));
        sse.close(CloseCode.GOING_AWAY, buf("{\"t\":\"close\",\"code\":4000}"));

        assertTrue(readEvent().startsWith("id: "));
        assertEquals("data: {\"t\":\"close\",\"code\":4000}\n\n", readEvent());
        assertInstanceOf(LastHttpContent.class, channel.readOutbound());
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void closeWithoutCodeJustEndsTheResponse() {
        sse.close(null, null);
        Object last = channel.readOutbound();
        assertInstanceOf(LastHttpContent.class, last);
        assertEquals(0, ((LastHttpContent) last).content().readableBytes());
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void preambleIsAPaddingCommentThenRetry() {
        int bytes = io.lasthop.edge.transport.ChunkedResponseTransport.PADDING_BYTES;
        ByteBuf pad = SseTransport.preamble(channel);
        String text;
        try {
            text = pad.toString(StandardCharsets.US_ASCII);
        } finally {
            pad.release();
        }
        String[] lines = text.split("\n", -1);
        assertEquals(":" + " ".repeat(bytes), lines[0]);
        assertTrue(lines[1].matches("retry: [0-9]+"), lines[1]);
        assertEquals(List.of("", ""), List.of(lines[2], lines[3]), "the block ends with a blank line");
        assertEquals(4, lines.length);
        assertFalse(channel.finish());
    }

    // ---- helpers ----

    private String readEvent() {
        Object out = channel.readOutbound();
        HttpContent content = assertInstanceOf(HttpContent.class, out);
        assertFalse(content instanceof LastHttpContent, "an event is not the end of the response");
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    /** Parses one event as a browser does, insisting it is exactly one event ended by a blank line. */
    private static Map<String, List<String>> parse(String event) {
        assertTrue(event.endsWith("\n\n"), event);
        String[] lines = event.substring(0, event.length() - 2).split("\n", -1);
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "not a field line: \"" + line + "\" in " + event);
            String value = line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            fields.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>())
                    .add(value);
        }
        return fields;
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
