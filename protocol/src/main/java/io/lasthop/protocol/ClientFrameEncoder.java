package io.lasthop.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Encodes client frames as JSON, the inverse of {@link ClientFrameDecoder}: what a Java client
 * sends, and how an edge hands frames on to the node that holds their session.
 */
public final class ClientFrameEncoder {
    private static final JsonFactory JSON = new JsonFactory();

    private ClientFrameEncoder() {}

    /** The frames as a JSON array, as a POST body carries them. */
    public static byte[] encodeBatch(List<ClientFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * Math.max(1, frames.size()));
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (ClientFrame f : frames) {
                write(g, f);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, ClientFrame f) throws IOException {
        g.writeStartObject();
        if (f instanceof ClientFrame.Ack a) {
            g.writeStringField("t", "ack");
            g.writeNumberField("seq", a.seq());
        } else if (f instanceof ClientFrame.Ping) {
            g.writeStringField("t", "ping");
        } else if (f instanceof ClientFrame.Pong) {
            g.writeStringField("t", "pong");
        } else if (f instanceof ClientFrame.Auth a) {
            g.writeStringField("t", "auth");
            g.writeStringField("token", a.token());
        } else if (f instanceof ClientFrame.Send s) {
            request(g, "send", s.ref());
            g.writeStringField("key", s.key());
            if (s.id() != null) {
                g.writeStringField("id", s.id());
            }
            writeBody(g, s.body());
        } else if (f instanceof ClientFrame.Reply r) {
            request(g, "reply", r.ref());
            g.writeStringField("token", r.token());
            writeBody(g, r.body());
        } else if (f instanceof ClientFrame.Subscribe s) {
            request(g, "sub", s.ref());
            g.writeStringField("topic", s.topic());
        } else if (f instanceof ClientFrame.Unsubscribe u) {
            request(g, "unsub", u.ref());
            g.writeStringField("topic", u.topic());
        }
        g.writeEndObject();
    }

    private static void request(JsonGenerator g, String type, long ref) throws IOException {
        g.writeStringField("t", type);
        g.writeNumberField("ref", ref);
    }

    /** The encoding is the one the decoder's content type stands for: json, text or base64. */
    private static void writeBody(JsonGenerator g, ClientFrame.Body body) throws IOException {
        String type = body.contentType();
        if (type.startsWith("application/json")) {
            g.writeStringField("enc", "json");
            g.writeFieldName("body");
            g.writeRawValue(new String(body.bytes(), StandardCharsets.UTF_8));
        } else if (type.startsWith("text/plain")) {
            g.writeStringField("enc", "text");
            g.writeStringField("body", new String(body.bytes(), StandardCharsets.UTF_8));
        } else {
            g.writeStringField("enc", "base64");
            g.writeStringField("body", Base64.getEncoder().encodeToString(body.bytes()));
        }
    }
}
