package io.lasthop.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes client frames from JSON. A frame is one JSON object whose {@code t} names its type; a
 * POST body may also be an array of such objects.
 */
public final class ClientFrameDecoder {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();

    private ClientFrameDecoder() {}

    /** Decodes exactly one frame. */
    public static ClientFrame decode(byte[] json) throws FrameException {
        return decode(parse(json));
    }

    /** Decodes one frame or a JSON array of frames, as a POST body carries them. */
    public static List<ClientFrame> decodeBatch(byte[] json) throws FrameException {
        JsonNode root = parse(json);
        if (!root.isArray()) {
            return List.of(decode(root));
        }
        ArrayNode array = (ArrayNode) root;
        List<ClientFrame> frames = new ArrayList<>(array.size());
        for (JsonNode node : array) {
            frames.add(decode(node));
        }
        return frames;
    }

    private static JsonNode parse(byte[] json) throws FrameException {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || root.isMissingNode()) {
                throw new FrameException(ErrorCode.BAD_FRAME, "empty frame");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_FRAME, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FrameException(ErrorCode.BAD_FRAME, "unreadable frame: " + e.getMessage());
        }
    }

    private static ClientFrame decode(JsonNode node) throws FrameException {
        if (!node.isObject()) {
            throw new FrameException(ErrorCode.BAD_FRAME, "a frame must be a JSON object");
        }
        JsonNode type = node.get("t");
        if (type == null || !type.isTextual()) {
            throw new FrameException(ErrorCode.BAD_FRAME, "a frame needs a string field \"t\"");
        }
        return switch (type.textValue()) {
            case "ack" -> new ClientFrame.Ack(seq(node));
            case "ping" -> new ClientFrame.Ping();
            case "pong" -> new ClientFrame.Pong();
            case "auth" -> new ClientFrame.Auth(text(node, "token"));
            default -> throw new FrameException(ErrorCode.UNKNOWN_FRAME_TYPE,
                    "unknown frame type \"" + abbreviate(type.textValue()) + "\"");
        };
    }

    private static long seq(JsonNode node) throws FrameException {
        JsonNode seq = node.get("seq");
        if (seq == null || !seq.canConvertToLong() || !seq.isIntegralNumber() || seq.longValue() < 1) {
            throw new FrameException(ErrorCode.BAD_FRAME, "\"seq\" must be a positive integer");
        }
        return seq.longValue();
    }

    private static String text(JsonNode node, String field) throws FrameException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new FrameException(ErrorCode.BAD_FRAME, "\"" + field + "\" must be a non-empty string");
        }
        return value.textValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
