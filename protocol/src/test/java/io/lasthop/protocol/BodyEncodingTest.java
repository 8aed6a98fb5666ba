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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
