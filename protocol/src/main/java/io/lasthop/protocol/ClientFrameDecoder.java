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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
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
            case "send", "reply", "sub", "unsub" -> request(type.textValue(), node);
            default ->
                throw new FrameException(
                        ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type \"" + abbreviate(type.textValue()) + "\"");
        };
    }

    /** A request: once its {@code ref} is read, a refusal of any other field answers it. */
    private static ClientFrame request(String type, JsonNode node) throws FrameException {
        long ref = ref(node);
        try {
            return switch (type) {
                case "send" -> new ClientFrame.Send(ref, text(node, "key"), body(node), optionalText(node, "id"));
                case "reply" -> new ClientFrame.Reply(ref, text(node, "token"), body(node));
                case "sub" -> new ClientFrame.Subscribe(ref, text(node, "topic"));
                default -> new ClientFrame.Unsubscribe(ref, text(node, "topic"));
            };
        } catch (FrameException e) {
            throw e.answering(ref);
        }
    }

    private static long seq(JsonNode node) throws FrameException {
        JsonNode seq = node.get("seq");
        if (seq == null || !seq.canConvertToLong() || !seq.isIntegralNumber() || seq.longValue() < 1) {
            throw new FrameException(ErrorCode.BAD_FRAME, "\"seq\" must be a positive integer");
        }
        return seq.longValue();
    }

    private static long ref(JsonNode node) throws FrameException {
        JsonNode ref = node.get("ref");
        if (ref == null || !ref.isIntegralNumber() || !ref.canConvertToLong() || ref.longValue() < 0) {
            throw new FrameException(ErrorCode.BAD_FRAME, "\"ref\" must be a non-negative integer");
        }
        return ref.longValue();
    }

    /**
     * The body of a send or reply: {@code enc} says how {@code body} carries it, as on the way
     * down: {@code json} (the default) any JSON value, {@code text} a string, {@code base64} a
     * base64 string.
     */
    private static ClientFrame.Body body(JsonNode node) throws FrameException {
        JsonNode body = node.get("body");
        if (body == null) {
            throw new FrameException(ErrorCode.BAD_FRAME, "\"body\" is missing");
        }
        JsonNode enc = node.get("enc");
        String encoding = enc == null ? "json" : enc.asText();
        switch (encoding) {
            case "json":
                try {
                    return new ClientFrame.Body(MAPPER.writeValueAsBytes(body), "application/json");
                } catch (JsonProcessingException e) {
                    throw new FrameException(ErrorCode.BAD_FRAME, "unserializable body");
                }
            case "text":
                if (!body.isTextual()) {
                    throw new FrameException(ErrorCode.BAD_FRAME, "with enc \"text\", \"body\" must be a string");
                }
                return new ClientFrame.Body(
                        body.textValue().getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
            case "base64":
                if (!body.isTextual()) {
                    throw new FrameException(ErrorCode.BAD_FRAME, "with enc \"base64\", \"body\" must be a string");
                }
                try {
                    return new ClientFrame.Body(
                            Base64.getDecoder().decode(body.textValue()), "application/octet-stream");
                } catch (IllegalArgumentException e) {
                    throw new FrameException(ErrorCode.BAD_FRAME, "\"body\" is not valid base64");
                }
            default:
                throw new FrameException(ErrorCode.BAD_FRAME, "\"enc\" must be json, text or base64");
        }
    }

    private static String optionalText(JsonNode node, String field) throws FrameException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        // An AMQP short string: 255 bytes of UTF-8, not 255 characters.
        if (!value.isTextual()
                || value.textValue().isEmpty()
                || value.textValue().getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new FrameException(ErrorCode.BAD_FRAME, "\"" + field + "\" must be a string of 1 to 255 UTF-8 bytes");
        }
        return value.textValue();
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
