package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerFramesTest {
    /** Strict, so a frame with trailing bytes or a repeated field does not pass as valid. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    @Test
    void hello() throws IOException {
        JsonNode f = frame(out -> ServerFrames.writeHello(
                out, "S".repeat(22), "C".repeat(11), true, "alice", "node-1", "websocket", 25_000, 64));
        assertEquals(
                Set.of(
                        "t",
                        "v",
                        "session",
                        "connection",
                        "resumed",
                        "user",
                        "node",
                        "transport",
                        "heartbeatMs",
                        "prefetch"),
                fieldNames(f));
        assertEquals("hello", f.get("t").textValue());
        assertEquals(ServerFrames.PROTOCOL_VERSION, f.get("v").intValue());
        assertEquals("S".repeat(22), f.get("session").textValue());
        assertEquals("C".repeat(11), f.get("connection").textValue());
        assertEquals("websocket", f.get("transport").textValue());
        assertTrue(f.get("resumed").booleanValue());
        assertEquals("alice", f.get("user").textValue());
        assertEquals("node-1", f.get("node").textValue());
        assertEquals(25_000, f.get("heartbeatMs").longValue());
        assertEquals(64, f.get("prefetch").intValue());
    }

    @Test
    void helloEscapesUserIds() throws IOException {
        String user = "al\"ice\n\\ é 😀";
        JsonNode f = frame(out -> ServerFrames.writeHello(out, "s", "c", false, user, "n", "sse", 1, 1));
        assertEquals(user, f.get("user").textValue());
        assertFalse(f.get("resumed").booleanValue());
    }

    // ---- msg ----

    @Test
    void messageWithJsonBodyEmbedsTheValue() throws IOException {
        JsonNode f = message(new MessageFrame(
                7,
                "m-1",
                false,
                "lasthop.user",
                "alice",
                "application/json",
                "order.created",
                1_700_000_000_123L,
                null,
                utf8("{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}"),
                null));
        assertEquals("msg", f.get("t").textValue());
        assertEquals(7, f.get("seq").longValue());
        assertEquals("m-1", f.get("id").textValue());
        assertEquals("lasthop.user", f.get("exchange").textValue());
        assertEquals("alice", f.get("key").textValue());
        assertEquals("application/json", f.get("contentType").textValue());
        assertEquals("order.created", f.get("type").textValue());
        assertEquals(1_700_000_000_123L, f.get("timestamp").longValue());
        assertEquals("json", f.get("enc").textValue());
        assertEquals(JSON.readTree("{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}"), f.get("body"));
    }

    @Test
    void messageWithJsonScalarBody() throws IOException {
        JsonNode f = message(msg("application/json", utf8("42")));
        assertEquals("json", f.get("enc").textValue());
        assertEquals(42, f.get("body").intValue());
    }

    @Test
    void messageWithPrettyPrintedJsonBodyStaysValid() throws IOException {
        String body = "\r\n{\n  \"a\" : 1,\r\n  \"b\" : [ true ]\n}\n";
        JsonNode f = message(msg("application/json", utf8(body)));
        assertEquals("json", f.get("enc").textValue());
        assertEquals(JSON.readTree(body), f.get("body"));
    }

    /** Whatever the publisher sends, the frame must stay one valid JSON object. */
    @Test
    void messageWithByteOrderMarkedJsonBodyStaysValid() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = concat(bom, utf8("{\"a\":1}"));
        JsonNode f = message(msg("application/json", body));
        assertBodyRoundTrips(f, body);
    }

    @Test
    void messageWithUtf16JsonBodyStaysValid() throws IOException {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE);
        JsonNode f = message(msg("application/json", body));
        assertBodyRoundTrips(f, body);
    }

    @Test
    void messageWithTextBody() throws IOException {
        String text = "héllo \"world\"\n\t\\ 😀 \u0000";
        JsonNode f = message(msg("text/plain; charset=utf-8", utf8(text)));
        assertEquals("text", f.get("enc").textValue());
        assertEquals(text, f.get("body").textValue());
    }

    @Test
    void messageWithJsonContentTypeButInvalidJsonFallsBackToText() throws IOException {
        JsonNode f = message(msg("application/json", utf8("{not json")));
        assertEquals("text", f.get("enc").textValue());
        assertEquals("{not json", f.get("body").textValue());
    }

    @Test
    void messageWithBinaryBodyIsBase64() throws IOException {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        JsonNode f = message(msg("application/octet-stream", body));
        assertEquals("base64", f.get("enc").textValue());
        assertArrayEquals(body, Base64.getDecoder().decode(f.get("body").textValue()));
    }

    @Test
    void messageWithEmptyBody() throws IOException {
        JsonNode f = message(msg(null, new byte[0]));
        assertEquals("text", f.get("enc").textValue());
        assertEquals("", f.get("body").textValue());
    }

    @Test
    void headersOfMixedTypes() throws IOException {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("s", "v\"1");
        headers.put("yes", true);
        headers.put("no", false);
        headers.put("i", 42);
        headers.put("l", 1L << 40);
        headers.put("sh", (short) -7);
        headers.put("b", (byte) 3);
        headers.put("d", 1.5d);
        headers.put("f", 0.25f);
        headers.put("big", new BigDecimal("2.5"));
        headers.put("bytes", new byte[] {1, 2});
        headers.put("list", List.of("x"));
        headers.put("map", Map.of("k", "v"));
        headers.put("date", new Date(0));
        headers.put("null", null);
        JsonNode f = message(new MessageFrame(1, "id", false, "x", "k", null, null, null, headers, utf8("b"), null));
        JsonNode h = f.get("headers");
        assertEquals(
                List.of("s", "yes", "no", "i", "l", "sh", "b", "d", "f", "big"),
                fieldNameList(h),
                "only strings, numbers and booleans are carried, in order");
        assertEquals("v\"1", h.get("s").textValue());
        assertTrue(h.get("yes").isBoolean() && h.get("yes").booleanValue());
        assertTrue(h.get("no").isBoolean() && !h.get("no").booleanValue());
        assertTrue(h.get("i").isIntegralNumber());
        assertEquals(42, h.get("i").longValue());
        assertEquals(1L << 40, h.get("l").longValue());
        assertEquals(-7, h.get("sh").longValue());
        assertEquals(3, h.get("b").longValue());
        assertEquals(1.5, h.get("d").doubleValue());
        assertEquals(0.25, h.get("f").doubleValue());
        assertEquals(2.5, h.get("big").doubleValue());
    }

    @Test
    void redeliveredIsPresentOnlyWhenTrue() throws IOException {
        JsonNode first =
                message(new MessageFrame(1, "id", false, "x", "k", null, null, null, Map.of(), utf8("b"), null));
        JsonNode again =
                message(new MessageFrame(1, "id", true, "x", "k", null, null, null, Map.of(), utf8("b"), null));
        assertFalse(first.has("redelivered"));
        assertTrue(again.get("redelivered").booleanValue());
    }

    @Test
    void optionalFieldsAreOmittedWhenNull() throws IOException {
        JsonNode f = message(new MessageFrame(3, "id", false, "", "k", null, null, null, null, utf8("b"), null));
        assertEquals(Set.of("t", "seq", "id", "exchange", "key", "enc", "body"), fieldNames(f));
        assertEquals("", f.get("exchange").textValue());
    }

    @Test
    void emptyHeadersAreOmitted() throws IOException {
        JsonNode f = message(new MessageFrame(3, "id", false, "x", "k", null, null, null, Map.of(), utf8("b"), null));
        assertFalse(f.has("headers"));
    }

    // ---- the other frames ----

    @Test
    void error() throws IOException {
        JsonNode f = frame(out -> ServerFrames.writeError(out, -1, ErrorCode.UNKNOWN_DELIVERY, "no delivery 9"));
        assertEquals(Set.of("t", "code", "message"), fieldNames(f));
        assertEquals("error", f.get("t").textValue());
        assertEquals("unknown_delivery", f.get("code").textValue());
        assertEquals("no delivery 9", f.get("message").textValue());
    }

    @Test
    void closeWithReconnectAfter() throws IOException {
        JsonNode f = frame(out -> ServerFrames.writeClose(out, CloseCode.GOING_AWAY, "draining", 1500));
        assertEquals("close", f.get("t").textValue());
        assertEquals(4000, f.get("code").intValue());
        assertEquals("going_away", f.get("reason").textValue());
        assertEquals("draining", f.get("message").textValue());
        assertEquals(1500, f.get("reconnectAfterMs").longValue());
    }

    @Test
    void closeWithoutReconnectAfter() throws IOException {
        JsonNode f = frame(out -> ServerFrames.writeClose(out, CloseCode.SESSION_TAKEN_OVER, "taken", 0));
        assertEquals(Set.of("t", "code", "reason", "message"), fieldNames(f));
        assertEquals(4500, f.get("code").intValue());
        assertEquals("session_taken_over", f.get("reason").textValue());
    }

    @Test
    void authOk() throws IOException {
        JsonNode f = frame(out -> ServerFrames.writeAuthOk(out, 1_700_000_600_000L));
        assertEquals(Set.of("t", "expiresAt"), fieldNames(f));
        assertEquals("auth_ok", f.get("t").textValue());
        assertEquals(1_700_000_600_000L, f.get("expiresAt").longValue());
    }

    @Test
    void pingAndPong() throws IOException {
        assertEquals(JSON.readTree("{\"t\":\"ping\"}"), frame(ServerFrames::writePing));
        assertEquals(JSON.readTree("{\"t\":\"pong\"}"), frame(ServerFrames::writePong));
    }

    @Test
    void httpError() throws IOException {
        JsonNode f = JSON.readTree(ServerFrames.httpError(ErrorCode.FRAME_TOO_LARGE, "over \"1\" KiB"));
        assertEquals(Set.of("error", "message"), fieldNames(f));
        assertEquals("frame_too_large", f.get("error").textValue());
        assertEquals("over \"1\" KiB", f.get("message").textValue());
    }

    @Test
    void writersLeaveTheStreamOpen() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                buf.write(b);
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        ServerFrames.writeError(out, -1, ErrorCode.BAD_FRAME, "a");
        ServerFrames.writeMessage(out, msg("text/plain", utf8("b")));
        ServerFrames.writeClose(out, CloseCode.ACK_TIMEOUT, "c", 0);
        assertFalse(closed[0]);
        List<JsonNode> frames = new ArrayList<>();
        JSON.readerFor(JsonNode.class).readValues(buf.toByteArray()).forEachRemaining(n -> frames.add((JsonNode) n));
        assertEquals(
                List.of("error", "msg", "close"),
                frames.stream().map(n -> n.get("t").textValue()).toList());
    }

    // ---- helpers ----

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static JsonNode frame(Writer writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out);
        return JSON.readTree(out.toByteArray());
    }

    private static JsonNode message(MessageFrame m) throws IOException {
        return frame(out -> ServerFrames.writeMessage(out, m));
    }

    private static MessageFrame msg(String contentType, byte[] body) {
        return new MessageFrame(1, "id", false, "lasthop.user", "alice", contentType, null, null, null, body, null);
    }

    /** The body must come back byte for byte from whichever encoding the frame chose. */
    private static void assertBodyRoundTrips(JsonNode f, byte[] body) throws IOException {
        JsonNode b = f.get("body");
        switch (f.get("enc").textValue()) {
            case "json" -> assertEquals(JSON.readTree(body), b);
            case "text" -> assertArrayEquals(body, utf8(b.textValue()));
            case "base64" -> assertArrayEquals(body, Base64.getDecoder().decode(b.textValue()));
            default -> throw new AssertionError("unknown enc in " + f);
        }
    }

    private static Set<String> fieldNames(JsonNode n) {
        return Set.copyOf(fieldNameList(n));
    }

    private static List<String> fieldNameList(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
