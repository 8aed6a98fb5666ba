package io.lasthop.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
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
        // The body is embedded as UTF-8 text, so it must be UTF-8 as it is. Jackson reading bytes
        // would take leading zero bytes for UTF-16/32 and skip a byte order mark; neither belongs in
        // a JSON text embedded in UTF-8 (RFC 8259 §8.1), so such bodies are refused before it reads.
        if (!isUtf8(body) || startsWithBomOrZero(body)) {
            return false;
        }
        int verdict = JsonText.singleValue(body);
        return verdict == JsonText.UNSURE ? parsesAsSingleValue(body) : verdict == JsonText.YES;
    }

    /** What Jackson's default parser says of {@code body}, UTF-8 without a byte order mark. */
    static boolean parsesAsSingleValue(byte[] body) {
        try (JsonParser parser = JSON_FACTORY.createParser(body)) {
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

    private static boolean startsWithBomOrZero(byte[] body) {
        if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
            return true;
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code body} is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates,
     * nothing past U+10FFFF. Checked on every delivery, so it allocates nothing.
     */
    static boolean isUtf8(byte[] body) {
        int i = 0;
        int n = body.length;
        while (i < n) {
            int c = body[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int trailing;
            if (c >= 0xC2 && c <= 0xDF) {
                trailing = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                trailing = 2;
            } else if (c >= 0xF0 && c <= 0xF4) {
                trailing = 3;
            } else {
                return false; // a continuation byte first, C0/C1 (overlong), or past U+10FFFF
            }
            if (i + trailing >= n) {
                return false;
            }
            int second = body[i + 1] & 0xFF;
            if ((c == 0xE0 && second < 0xA0) // overlong
                    || (c == 0xED && second > 0x9F) // a surrogate
                    || (c == 0xF0 && second < 0x90) // overlong
                    || (c == 0xF4 && second > 0x8F)) { // past U+10FFFF
                return false;
            }
            for (int k = 1; k <= trailing; k++) {
                if ((body[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += trailing + 1;
        }
        return true;
    }
}
