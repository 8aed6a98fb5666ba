package io.lasthop.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the frames the edge sends to clients. Each frame is one JSON object with its type in
 * {@code t}; see PROTOCOL.md for every field.
 */
public final class ServerFrames {
    /** The protocol version in every {@code hello}; raised on changes old clients cannot ignore. */
    public static final int PROTOCOL_VERSION = 1;

    private static final JsonFactory JSON = new JsonFactory();

    private ServerFrames() {}

    /** The first frame of every connection. */
    public static void writeHello(
            OutputStream out,
            String session,
            String connection,
            boolean resumed,
            String user,
            String node,
            String transport,
            long heartbeatMillis,
            int prefetch)
            throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("t", "hello");
            g.writeNumberField("v", PROTOCOL_VERSION);
            g.writeStringField("session", session);
            g.writeStringField("connection", connection);
            g.writeBooleanField("resumed", resumed);
            g.writeStringField("user", user);
            g.writeStringField("node", node);
            g.writeStringField("transport", transport);
            g.writeNumberField("heartbeatMs", heartbeatMillis);
            g.writeNumberField("prefetch", prefetch);
            g.writeEndObject();
        }
    }

    public static void writeMessage(OutputStream out, MessageFrame m) throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("t", "msg");
            g.writeNumberField("seq", m.seq());
            g.writeStringField("id", m.id());
            if (m.redelivered()) {
                g.writeBooleanField("redelivered", true);
            }
            g.writeStringField("exchange", m.exchange());
            g.writeStringField("key", m.routingKey());
            if (m.contentType() != null) {
                g.writeStringField("contentType", m.contentType());
            }
            if (m.type() != null) {
                g.writeStringField("type", m.type());
            }
            if (m.timestampMillis() != null) {
                g.writeNumberField("timestamp", m.timestampMillis());
            }
            if (m.headers() != null && !m.headers().isEmpty()) {
                writeHeaders(g, m.headers());
            }
            if (m.replyToken() != null) {
                g.writeStringField("replyToken", m.replyToken());
            }
            BodyEncoding encoding = BodyEncoding.choose(m.contentType(), m.body());
            g.writeStringField("enc", encoding.wireName());
            g.writeFieldName("body");
            // The body goes out from its bytes: decoding it to a String first (twice, for JSON) was
            // most of what the edge allocated per delivery.
            switch (encoding) {
                case JSON -> {
                    // Validated by BodyEncoding.choose: exactly one JSON value in UTF-8, so its bytes
                    // embed as they are, after the separator an empty raw value writes.
                    g.writeRawValue("");
                    g.flush();
                    out.write(m.body());
                }
                case TEXT -> g.writeUTF8String(m.body(), 0, m.body().length);
                case BASE64 -> g.writeBinary(m.body());
            }
            g.writeEndObject();
        }
    }

    public static void writePing(OutputStream out) throws IOException {
        out.write(PING);
    }

    public static void writePong(OutputStream out) throws IOException {
        out.write(PONG);
    }

    /** Answers a request ({@code send}, {@code reply}, {@code sub}, {@code unsub}) that succeeded. */
    public static void writeOk(OutputStream out, long ref) throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("t", "ok");
            g.writeNumberField("ref", ref);
            g.writeEndObject();
        }
    }

    /**
     * An error about one client frame, answering the request {@code ref}, or no request when
     * {@code ref} is negative; the connection stays open.
     */
    public static void writeError(OutputStream out, long ref, ErrorCode code, String message) throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("t", "error");
            if (ref >= 0) {
                g.writeNumberField("ref", ref);
            }
            g.writeStringField("code", code.code());
            g.writeStringField("message", message);
            g.writeEndObject();
        }
    }

    /** Answers a valid in-band {@code auth} frame. */
    public static void writeAuthOk(OutputStream out, long expiresAtMillis) throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("t", "auth_ok");
            g.writeNumberField("expiresAt", expiresAtMillis);
            g.writeEndObject();
        }
    }

    /** The last frame of a connection the edge ends; {@code reconnectAfterMillis} may be 0. */
    public static void writeClose(OutputStream out, CloseCode code, String message, long reconnectAfterMillis)
            throws IOException {
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("t", "close");
            g.writeNumberField("code", code.code());
            g.writeStringField("reason", code.reason());
            g.writeStringField("message", message);
            if (reconnectAfterMillis > 0) {
                g.writeNumberField("reconnectAfterMs", reconnectAfterMillis);
            }
            g.writeEndObject();
        }
    }

    /** An error body for an HTTP response: {@code {"error": code, "message": ...}}. */
    public static byte[] httpError(ErrorCode code, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        try (JsonGenerator g = generator(out)) {
            g.writeStartObject();
            g.writeStringField("error", code.code());
            g.writeStringField("message", message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeHeaders(JsonGenerator g, Map<String, Object> headers) throws IOException {
        g.writeObjectFieldStart("headers");
        for (Map.Entry<String, Object> e : headers.entrySet()) {
            Object v = e.getValue();
            if (v instanceof String s) {
                g.writeStringField(e.getKey(), s);
            } else if (v instanceof Boolean b) {
                g.writeBooleanField(e.getKey(), b);
            } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                g.writeNumberField(e.getKey(), ((Number) v).longValue());
            } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
                g.writeNumberField(e.getKey(), n.doubleValue());
            }
        }
        g.writeEndObject();
    }

    private static JsonGenerator generator(OutputStream out) throws IOException {
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g;
    }

    private static final byte[] PING = "{\"t\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "{\"t\":\"pong\"}".getBytes(StandardCharsets.US_ASCII);
}
