package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientFrameDecoderTest {

    // ---- every frame type ----

    @Test
    void decodesAck() throws FrameException {
        assertEquals(new ClientFrame.Ack(5), decode("{\"t\":\"ack\",\"seq\":5}"));
    }

    @Test
    void decodesAckUpToLongMax() throws FrameException {
        assertEquals(new ClientFrame.Ack(Long.MAX_VALUE), decode("{\"t\":\"ack\",\"seq\":" + Long.MAX_VALUE + "}"));
    }

    @Test
    void decodesPingAndPong() throws FrameException {
        assertInstanceOf(ClientFrame.Ping.class, decode("{\"t\":\"ping\"}"));
        assertInstanceOf(ClientFrame.Pong.class, decode("{\"t\":\"pong\"}"));
    }

    @Test
    void decodesAuth() throws FrameException {
        assertEquals(new ClientFrame.Auth("a.b.c"), decode("{\"t\":\"auth\",\"token\":\"a.b.c\"}"));
    }

    @Test
    void ignoresFieldsItDoesNotKnow() throws FrameException {
        assertEquals(new ClientFrame.Ack(1), decode("{\"seq\":1,\"x\":[1,{}],\"t\":\"ack\"}"));
    }

    @Test
    void acceptsSurroundingWhitespace() throws FrameException {
        assertInstanceOf(ClientFrame.Ping.class, decode(" \r\n\t{ \"t\" : \"ping\" }\n"));
    }

    // ---- batches ----

    @Test
    void batchOfSeveralFramesKeepsOrder() throws FrameException {
        List<ClientFrame> frames = ClientFrameDecoder.decodeBatch(bytes(
                "[{\"t\":\"ack\",\"seq\":3},{\"t\":\"ping\"},{\"t\":\"pong\"},{\"t\":\"auth\",\"token\":\"tk\"}]"));
        assertEquals(
                List.of(
                        new ClientFrame.Ack(3),
                        new ClientFrame.Ping(),
                        new ClientFrame.Pong(),
                        new ClientFrame.Auth("tk")),
                frames);
    }

    @Test
    void batchAcceptsOneBareFrame() throws FrameException {
        assertEquals(
                List.of(new ClientFrame.Ack(9)), ClientFrameDecoder.decodeBatch(bytes("{\"t\":\"ack\",\"seq\":9}")));
    }

    @Test
    void batchFailsOnItsFirstBadFrame() {
        assertCode(
                ErrorCode.UNKNOWN_FRAME_TYPE,
                () -> ClientFrameDecoder.decodeBatch(bytes("[{\"t\":\"ping\"},{\"t\":\"subscribe\"}]")));
        assertCode(
                ErrorCode.BAD_FRAME,
                () -> ClientFrameDecoder.decodeBatch(bytes("[{\"t\":\"ping\"},{\"t\":\"ack\",\"seq\":0}]")));
    }

    @Test
    void batchRefusesNestedArraysAndNonObjects() {
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(bytes("[[{\"t\":\"ping\"}]]")));
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(bytes("[{\"t\":\"ping\"},1]")));
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(bytes("\"ping\"")));
    }

    @Test
    void batchRefusesMalformedAndEmptyInput() {
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(bytes("[{\"t\":\"ping\"},")));
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(new byte[0]));
    }

    @Test
    void singleDecodeRefusesAnArray() {
        assertCode(ErrorCode.BAD_FRAME, () -> decode("[{\"t\":\"ping\"}]"));
    }

    // ---- malformed input ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "{\"t\":\"ping\"",
                "{\"t\":ping}",
                "{t:\"ping\"}",
                "{'t':'ping'}",
                "not json",
                "{\"t\":\"ping\",}",
                "{\"t\":\"ack\",\"seq\":01}"
            })
    void malformedJsonIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    /** Two frames glued together are not one frame: the second must not be silently dropped. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"ping\"}{\"t\":\"ack\",\"seq\":1}",
                "{\"t\":\"ping\"} x",
                "{\"t\":\"ping\"}]",
                "{\"t\":\"ping\"}}"
            })
    void trailingContentIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(bytes(json)));
    }

    @Test
    void invalidUtf8IsBadFrame() {
        byte[] json = {'{', '"', 't', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decode(json));
    }

    @Test
    void absurdNestingIsBadFrame() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertCode(ErrorCode.BAD_FRAME, () -> ClientFrameDecoder.decodeBatch(bytes(deep)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\t "})
    void emptyInputIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "\"ping\"", "null", "true", "[]"})
    void nonObjectIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    // ---- the type field ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"type\":\"ping\"}",
                "{\"t\":null}",
                "{\"t\":1}",
                "{\"t\":true}",
                "{\"t\":[\"ping\"]}",
                "{\"t\":{\"ping\":1}}"
            })
    void missingOrNonStringTypeIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"subscribe", "PING", "Ack", "", " ping"})
    void unknownTypeIsUnknownFrameType(String type) {
        assertCode(ErrorCode.UNKNOWN_FRAME_TYPE, () -> decode("{\"t\":\"" + type + "\"}"));
    }

    @Test
    void unknownTypeMessageIsAbbreviated() {
        String type = "x".repeat(1000);
        FrameException e = assertCode(ErrorCode.UNKNOWN_FRAME_TYPE, () -> decode("{\"t\":\"" + type + "\"}"));
        assertTrue(e.getMessage().length() < 100, e.getMessage());
    }

    // ---- ack ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"ack\"}",
                "{\"t\":\"ack\",\"seq\":0}",
                "{\"t\":\"ack\",\"seq\":-1}",
                "{\"t\":\"ack\",\"seq\":1.5}",
                "{\"t\":\"ack\",\"seq\":1.0}",
                "{\"t\":\"ack\",\"seq\":1e3}",
                "{\"t\":\"ack\",\"seq\":\"5\"}",
                "{\"t\":\"ack\",\"seq\":null}",
                "{\"t\":\"ack\",\"seq\":true}",
                "{\"t\":\"ack\",\"seq\":[1]}",
                "{\"t\":\"ack\",\"seq\":18446744073709551616}",
                "{\"t\":\"ack\",\"seq\":" + Long.MIN_VALUE + "}"
            })
    void ackWithoutPositiveIntegerSeqIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    // ---- duplicate keys ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"ack\",\"seq\":1,\"seq\":2}",
                "{\"t\":\"ping\",\"t\":\"ack\",\"seq\":1}",
                "{\"t\":\"auth\",\"token\":\"a\",\"token\":\"b\"}"
            })
    void duplicateKeysAreBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    // ---- auth ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"auth\"}",
                "{\"t\":\"auth\",\"token\":\"\"}",
                "{\"t\":\"auth\",\"token\":null}",
                "{\"t\":\"auth\",\"token\":42}",
                "{\"t\":\"auth\",\"token\":{\"jwt\":\"a\"}}"
            })
    void authWithoutTokenIsBadFrame(String json) {
        assertCode(ErrorCode.BAD_FRAME, () -> decode(json));
    }

    // ---- helpers ----

    private static ClientFrame decode(String json) throws FrameException {
        return ClientFrameDecoder.decode(bytes(json));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static FrameException assertCode(ErrorCode expected, org.junit.jupiter.api.function.Executable call) {
        FrameException e = assertThrows(FrameException.class, call);
        assertEquals(expected, e.code(), e.getMessage());
        return e;
    }

    @Test
    void requestFramesDecodeWithTheirBodies() throws FrameException {
        ClientFrame.Send send = (ClientFrame.Send) ClientFrameDecoder.decode(
                "{\"t\":\"send\",\"ref\":3,\"key\":\"chat.a\",\"body\":{\"x\":[1,2]},\"id\":\"m-1\"}".getBytes());
        org.junit.jupiter.api.Assertions.assertEquals(3, send.ref());
        org.junit.jupiter.api.Assertions.assertEquals("chat.a", send.key());
        org.junit.jupiter.api.Assertions.assertEquals("m-1", send.id());
        org.junit.jupiter.api.Assertions.assertEquals(
                "{\"x\":[1,2]}", new String(send.body().bytes()));
        org.junit.jupiter.api.Assertions.assertEquals(
                "application/json", send.body().contentType());

        ClientFrame.Reply text = (ClientFrame.Reply) ClientFrameDecoder.decode(
                "{\"t\":\"reply\",\"ref\":0,\"token\":\"tk\",\"enc\":\"text\",\"body\":\"h\u00e9\"}".getBytes());
        org.junit.jupiter.api.Assertions.assertEquals(
                "hé", new String(text.body().bytes(), java.nio.charset.StandardCharsets.UTF_8));
        org.junit.jupiter.api.Assertions.assertTrue(text.body().contentType().startsWith("text/plain"));

        ClientFrame.Send bin = (ClientFrame.Send) ClientFrameDecoder.decode(
                "{\"t\":\"send\",\"ref\":1,\"key\":\"k\",\"enc\":\"base64\",\"body\":\"AP8H\"}".getBytes());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new byte[] {0, (byte) 0xff, 7}, bin.body().bytes());

        org.junit.jupiter.api.Assertions.assertEquals(
                new ClientFrame.Subscribe(4, "prices.*"),
                ClientFrameDecoder.decode("{\"t\":\"sub\",\"ref\":4,\"topic\":\"prices.*\"}".getBytes()));
        org.junit.jupiter.api.Assertions.assertEquals(
                new ClientFrame.Unsubscribe(5, "prices.*"),
                ClientFrameDecoder.decode("{\"t\":\"unsub\",\"ref\":5,\"topic\":\"prices.*\"}".getBytes()));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "{\"t\":\"send\",\"key\":\"k\",\"body\":1}",
                "{\"t\":\"send\",\"ref\":-1,\"key\":\"k\",\"body\":1}",
                "{\"t\":\"send\",\"ref\":1,\"body\":1}",
                "{\"t\":\"send\",\"ref\":1,\"key\":\"k\"}",
                "{\"t\":\"send\",\"ref\":1,\"key\":\"k\",\"enc\":\"text\",\"body\":1}",
                "{\"t\":\"send\",\"ref\":1,\"key\":\"k\",\"enc\":\"base64\",\"body\":\"!!\"}",
                "{\"t\":\"send\",\"ref\":1,\"key\":\"k\",\"enc\":\"xml\",\"body\":\"x\"}",
                "{\"t\":\"send\",\"ref\":1,\"key\":\"k\",\"body\":1,\"id\":\"\"}",
                "{\"t\":\"reply\",\"ref\":1,\"body\":1}",
                "{\"t\":\"sub\",\"ref\":1}",
                "{\"t\":\"unsub\",\"ref\":\"1\",\"topic\":\"x\"}",
            })
    void malformedRequestsAreBadFrames(String json) {
        FrameException e = org.junit.jupiter.api.Assertions.assertThrows(
                FrameException.class, () -> ClientFrameDecoder.decode(json.getBytes()));
        org.junit.jupiter.api.Assertions.assertEquals(ErrorCode.BAD_FRAME, e.code());
    }

    /** Once a request's ref is read, a refusal of its other fields answers that request. */
    @Test
    void aRefusedFieldOfARequestCarriesItsRef() {
        String longId = "é".repeat(128); // 256 bytes of UTF-8, 128 characters
        FrameException e = assertThrows(
                FrameException.class,
                () -> ClientFrameDecoder.decode(
                        ("{\"t\":\"send\",\"ref\":7,\"key\":\"a\",\"body\":1,\"id\":\"" + longId + "\"}")
                                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals(7, e.ref());
        assertEquals(
                3,
                assertThrows(
                                FrameException.class,
                                () -> ClientFrameDecoder.decode(
                                        "{\"t\":\"sub\",\"ref\":3}".getBytes(StandardCharsets.UTF_8)))
                        .ref());
        assertEquals(
                -1,
                assertThrows(
                                FrameException.class,
                                () -> ClientFrameDecoder.decode(
                                        "{\"t\":\"sub\",\"ref\":-3,\"topic\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
                        .ref(),
                "no ref that could be read");
        assertEquals(
                -1,
                assertThrows(
                                FrameException.class,
                                () -> ClientFrameDecoder.decode("{\"t\":\"ack\"}".getBytes(StandardCharsets.UTF_8)))
                        .ref());
    }
}
