package io.lasthop.edge.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrameDecoder;
import io.lasthop.protocol.ClientFrameEncoder;
import io.lasthop.protocol.FrameException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Control messages as JSON. Between nodes: {@code {"op": "frames"|"release", "queue",
 * "connection"?, "from", "frames"?}}, where {@code frames} is a string holding the client frames as
 * a JSON array, as a POST body carries them; nodes of different versions read each other's messages
 * during a rolling upgrade, so the format only ever gains optional fields. From services, on
 * {@code lasthop.revoke}: {@code {"user", "session"?, "deleteQueues"?}} (PROTOCOL.md §10).
 */
final class ControlCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ControlCodec() {}

    static byte[] encode(ControlMessage.ForSession m) {
        ObjectNode body = JSON.createObjectNode()
                .put("op", m instanceof ControlMessage.Frames ? "frames" : "release")
                .put("queue", m.queue())
                .put("from", m.from());
        if (m.connection() != null) {
            body.put("connection", m.connection());
        }
        if (m instanceof ControlMessage.Frames f) {
            body.put("frames", new String(ClientFrameEncoder.encodeBatch(f.frames()), StandardCharsets.UTF_8));
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A revocation as services publish it, or an exception naming what is wrong with it. */
    static ControlMessage.Revoke decodeRevoke(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        String user = text(n, "user");
        JsonNode session = n.get("session");
        String id = session == null || session.isNull() ? null : session.asText();
        if (id != null && !AmqpNames.isValidSessionId(id)) {
            throw new IOException("\"session\" is not a session id");
        }
        JsonNode delete = n.get("deleteQueues");
        if (delete != null && !delete.isBoolean()) {
            throw new IOException("\"deleteQueues\" must be true or false");
        }
        return new ControlMessage.Revoke(user, id, delete != null && delete.booleanValue());
    }

    /** A message from another node, or an exception naming what is wrong with it. */
    static ControlMessage.ForSession decode(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(bytes);
        String queue = text(n, "queue");
        String from = text(n, "from");
        JsonNode connection = n.get("connection");
        String conn = connection == null || connection.isNull() ? null : connection.asText();
        String op = text(n, "op");
        switch (op) {
            case "frames" -> {
                try {
                    return new ControlMessage.Frames(
                            queue,
                            conn,
                            ClientFrameDecoder.decodeBatch(text(n, "frames").getBytes(StandardCharsets.UTF_8)),
                            from);
                } catch (FrameException e) {
                    throw new IOException("unreadable frames: " + e.getMessage(), e);
                }
            }
            case "release" -> {
                return new ControlMessage.Release(queue, conn, from);
            }
            default -> throw new IOException("unknown op \"" + op + "\"");
        }
    }

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException("\"" + field + "\" is missing");
        }
        return v.textValue();
    }
}
