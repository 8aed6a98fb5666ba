package io.lasthop.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How an AMQP body travels inside a JSON frame. The content type decides; the body is checked so a
 * wrong content type can never break the frame:
 * <ul>
 *   <li>{@code json}: {@code application/json} or {@code *+json} bodies that hold one JSON value,
 *       embedded as that value;
 *   <li>{@code text}: {@code text/*} bodies, and bodies with no content type, that are valid UTF-8,
 *       as a JSON string;
 *   <li>{@code base64}: everything else, as a base64 string.
 * </ul>
 */
public enum BodyEncoding {
    JSON("json"),
    TEXT("text"),
    BASE64("base64");

    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final String wireName;

    BodyEncoding(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static BodyEncoding choose(String contentType, byte[] body) {
        String mime = mime(contentType);
        if (mime.equals("application/json") || mime.endsWith("+json")) {
            if (isSingleJsonValue(body)) {
                return JSON;
            }
            return isUtf8(body) ? TEXT : BASE64;
        }
        if ((mime.isEmpty() || mime.startsWith("text/")) && isUtf8(body)) {
            return TEXT;
        }
        return BASE64;
    }

    private static String mime(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        String mime = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return mime.trim().toLowerCase(Locale.ROOT);
    }

    static boolean isSingleJsonValue(byte[] body) {
        // Parse the UTF-8 text, not the bytes: Jackson would detect UTF-16/32 and skip a BOM, and
        // the body is embedded as UTF-8 text, where either would break the frame.
        if (!isUtf8(body)) {
            return false;
        }
        try (JsonParser parser = JSON_FACTORY.createParser(new String(body, StandardCharsets.UTF_8))) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
