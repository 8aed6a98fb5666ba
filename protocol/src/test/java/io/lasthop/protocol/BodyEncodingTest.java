package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BodyEncodingTest {
    private static final byte[] INVALID_UTF8 = {'a', (byte) 0xC3, '(', (byte) 0xFF};

    @Test
    void wireNames() {
        assertEquals("json", BodyEncoding.JSON.wireName());
        assertEquals("text", BodyEncoding.TEXT.wireName());
        assertEquals("base64", BodyEncoding.BASE64.wireName());
    }

    // ---- JSON content types ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "application/json; charset=utf-8",
                "APPLICATION/JSON",
                " application/json ",
                "application/vnd.x+json; charset=utf-8",
                "application/problem+json",
                "application/json-patch+json",
                "Application/Vnd.Api+JSON"
            })
    void jsonContentTypeWithOneJsonValueIsJson(String contentType) {
        assertEquals(BodyEncoding.JSON, BodyEncoding.choose(contentType, utf8("{\"a\":[1,2]}")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "-1.5e3", "\"s\"", "null", "true", "[]", "{}", " \n{\"a\":1}\r\n "})
    void anySingleJsonValueIsJson(String body) {
        assertEquals(BodyEncoding.JSON, BodyEncoding.choose("application/json", utf8(body)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1 2",
                "{} {}",
                "[1] [2]",
                "{\"a\":1}]",
                "{\"a\":1",
                "",
                "  ",
                "not json",
                "/* c */ 1",
                "NaN",
                "{'a':1}",
                "{\"a\":1,}",
                "01"
            })
    void jsonContentTypeWithoutExactlyOneJsonValueIsText(String body) {
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose("application/json", utf8(body)));
    }

    @Test
    void jsonContentTypeWithInvalidUtf8IsBase64() {
        assertEquals(BodyEncoding.BASE64, BodyEncoding.choose("application/json", INVALID_UTF8));
        assertEquals(BodyEncoding.BASE64, BodyEncoding.choose("application/json", new byte[] {'"', (byte) 0xFF, '"'}));
    }

    /** JSON on the wire is UTF-8 (RFC 8259); other encodings cannot be embedded as-is. */
    @Test
    void jsonInAnotherEncodingIsNotEmbedded() {
        assertNotEquals(
                BodyEncoding.JSON,
                BodyEncoding.choose("application/json", "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE)));
        assertNotEquals(
                BodyEncoding.JSON,
                BodyEncoding.choose("application/json", "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE)));
    }

    // ---- text and no content type ----

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "text/plain; charset=utf-8", "text/html", "TEXT/CSV", "text/json"})
    void textContentTypeWithUtf8IsText(String contentType) {
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose(contentType, utf8("héllo ✓ 😀\n{\"a\":1}")));
    }

    @Test
    void textContentTypeWithInvalidUtf8IsBase64() {
        assertEquals(BodyEncoding.BASE64, BodyEncoding.choose("text/plain", INVALID_UTF8));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "; charset=utf-8"})
    void noContentTypeWithUtf8IsText(String contentType) {
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose(contentType, utf8("plain words")));
        assertEquals(
                BodyEncoding.TEXT,
                BodyEncoding.choose(contentType, utf8("{\"a\":1}")),
                "without a JSON content type even a JSON body is text");
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose(contentType, new byte[0]));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void noContentTypeWithInvalidUtf8IsBase64(String contentType) {
        assertEquals(BodyEncoding.BASE64, BodyEncoding.choose(contentType, INVALID_UTF8));
    }

    /** Java's strict decoder refuses what is not UTF-8 in the strict sense. */
    @Test
    void overlongAndSurrogateEncodingsAreNotUtf8() {
        assertEquals(BodyEncoding.BASE64, BodyEncoding.choose("text/plain", new byte[] {(byte) 0xC0, (byte) 0x80}));
        assertEquals(
                BodyEncoding.BASE64,
                BodyEncoding.choose("text/plain", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        assertEquals(
                BodyEncoding.BASE64, BodyEncoding.choose("text/plain", new byte[] {'a', (byte) 0xE2, (byte) 0x82}));
    }

    // ---- everything else ----

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/octet-stream",
                "image/png",
                "application/jsonx",
                "application/json5",
                "application/xml",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded"
            })
    void otherContentTypesAreBase64EvenForUtf8(String contentType) {
        assertEquals(BodyEncoding.BASE64, BodyEncoding.choose(contentType, utf8("{\"a\":1}")));
    }

    /** A byte order mark or a zero byte would make Jackson read another encoding, or skip bytes the frame still embeds. */
    @Test
    void jsonLedByAByteOrderMarkOrAZeroByteIsNotEmbedded() {
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose("application/json", utf8("\uFEFF{\"a\":1}")));
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose("application/json", new byte[] {0, '1'}));
        assertEquals(BodyEncoding.TEXT, BodyEncoding.choose("application/json", new byte[] {'1', 0}));
    }

    /** The allocation-free check agrees with the JDK's strict decoder, byte for byte. */
    @Test
    void utf8CheckAgreesWithTheJdksStrictDecoder() {
        java.util.Random random = new java.util.Random(42);
        byte[] interesting = {
            0x00,
            0x41,
            0x7F,
            (byte) 0x80,
            (byte) 0x8F,
            (byte) 0x90,
            (byte) 0x9F,
            (byte) 0xA0,
            (byte) 0xBF,
            (byte) 0xC0,
            (byte) 0xC1,
            (byte) 0xC2,
            (byte) 0xDF,
            (byte) 0xE0,
            (byte) 0xE1,
            (byte) 0xEC,
            (byte) 0xED,
            (byte) 0xEE,
            (byte) 0xEF,
            (byte) 0xF0,
            (byte) 0xF1,
            (byte) 0xF3,
            (byte) 0xF4,
            (byte) 0xF5,
            (byte) 0xFF
        };
        for (int n = 0; n < 200_000; n++) {
            byte[] b = new byte[random.nextInt(7)];
            for (int i = 0; i < b.length; i++) {
                b[i] = interesting[random.nextInt(interesting.length)];
            }
            assertEquals(
                    strictlyDecodes(b),
                    BodyEncoding.isUtf8(b),
                    java.util.HexFormat.of().formatHex(b));
        }
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp += cp < 0x10000 ? 1 : 0x3F) {
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                assertEquals(true, BodyEncoding.isUtf8(utf8(new String(Character.toChars(cp)))), "U+" + cp);
            }
        }
    }

    private static boolean strictlyDecodes(byte[] b) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
