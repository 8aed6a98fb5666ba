package io.lasthop.bench.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.lasthop.bench.MessageIds;
import java.io.IOException;

/**
 * A streaming (token by token, no tree) parser of server frames: reads {@code t}, {@code seq},
 * {@code id}, {@code redelivered}, {@code key}, {@code session}, {@code connection}, {@code node},
 * {@code resumed}, {@code code}, {@code reason}, {@code ref}, and {@code sentUs} inside
 * {@code body}; skips everything else. Field order does not matter. One per thread.
 */
public final class FrameParser {
    /** Receives each frame of an array; the frame is reused once the call returns. */
    public interface Sink {
        void onFrame(ServerFrame frame);
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final ServerFrame frame = new ServerFrame();

    /** Parses one frame; the returned object is reused by the next call. */
    public ServerFrame parse(byte[] buf, int off, int len) throws IOException {
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("frame is not a JSON object");
            }
            return read(p);
        }
    }

    /**
     * Parses a JSON array of frames, a long-poll answer, in one pass: each frame goes to
     * {@code sink} as soon as it is read, so the frames before a malformed one are handled.
     * Returns how many there were.
     */
    public int parseArray(byte[] buf, int off, int len, Sink sink) throws IOException {
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("answer is not a JSON array");
            }
            int n = 0;
            JsonToken tok;
            while ((tok = p.nextToken()) == JsonToken.START_OBJECT) {
                sink.onFrame(read(p));
                n++;
            }
            if (tok != JsonToken.END_ARRAY) {
                throw new IOException(tok == null ? "truncated answer" : "answer holds a frame that is not an object");
            }
            return n;
        }
    }

    /** Reads the object whose START_OBJECT was just consumed. */
    private ServerFrame read(JsonParser p) throws IOException {
        frame.reset();
        JsonToken tok;
        while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "t" -> frame.type = type(p.getText());
                case "seq" -> frame.seq = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : 0;
                case "id" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        String id = p.getText();
                        frame.idPhase = MessageIds.phase(id);
                        frame.idNumber = MessageIds.number(id);
                    }
                }
                case "redelivered" -> frame.redelivered = v == JsonToken.VALUE_TRUE;
                case "key" -> frame.key = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "session" -> frame.session = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "connection" -> frame.connection = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "node" -> frame.node = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "resumed" -> frame.resumed = v == JsonToken.VALUE_TRUE;
                // close frames carry a number, error frames a string (PROTOCOL.md §3)
                case "code" -> {
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        frame.code = p.getIntValue();
                    } else if (v == JsonToken.VALUE_STRING) {
                        frame.errorCode = p.getText();
                    }
                }
                case "ref" -> frame.ref = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                case "reason" -> frame.reason = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "body" -> {
                    if (v == JsonToken.START_OBJECT) {
                        readBody(p);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (tok != JsonToken.END_OBJECT) {
            throw new IOException("truncated frame");
        }
        return frame;
    }

    private void readBody(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("sentUs") && v == JsonToken.VALUE_NUMBER_INT) {
                frame.sentUs = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
    }

    private static ServerFrame.Type type(String t) {
        return switch (t) {
            case "msg" -> ServerFrame.Type.MSG;
            case "hello" -> ServerFrame.Type.HELLO;
            case "ping" -> ServerFrame.Type.PING;
            case "pong" -> ServerFrame.Type.PONG;
            case "ok" -> ServerFrame.Type.OK;
            case "close" -> ServerFrame.Type.CLOSE;
            case "error" -> ServerFrame.Type.ERROR;
            default -> ServerFrame.Type.OTHER;
        };
    }
}
