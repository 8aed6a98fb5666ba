package io.lasthop.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames a client sends most, {@code ack}, {@code ping} and {@code pong}, read without a JSON
 * parser when they are spelled exactly as the clients write them: {@code {"t":"ack","seq":N}} (N
 * a positive integer of at most 18 digits, no leading zero), {@code {"t":"ping"}},
 * {@code {"t":"pong"}}, alone or as a POST body's array of them. Anything else, another field
 * order or a space included, is left to the parser, so what is accepted and how it is refused do
 * not change; only the cost does. A parser costs about 1.5 KB of garbage per frame, and acks are a
 * quarter of what the edge allocates at 1,000 deliveries a second.
 */
final class CommonFrames {
    static final ClientFrame.Ping PING = new ClientFrame.Ping();
    static final ClientFrame.Pong PONG = new ClientFrame.Pong();

    private static final byte[] PING_BYTES = ascii("{\"t\":\"ping\"}");
    private static final byte[] PONG_BYTES = ascii("{\"t\":\"pong\"}");
    private static final byte[] ACK_PREFIX = ascii("{\"t\":\"ack\",\"seq\":");
    /** 18 digits always fit a long. */
    private static final int MAX_SEQ_DIGITS = 18;

    private CommonFrames() {}

    /** The one frame {@code json} spells exactly, or null. */
    static ClientFrame one(byte[] json) {
        int end = frameEnd(json, 0);
        return end == json.length ? frameAt(json, 0) : null;
    }

    /** The frames of an array that spells each exactly ({@code [f,f,…]}, at least one), or null. */
    static List<ClientFrame> array(byte[] json) {
        int n = json.length;
        if (n < 2 || json[0] != '[' || json[n - 1] != ']') {
            return null;
        }
        List<ClientFrame> frames = new ArrayList<>();
        int at = 1;
        while (true) {
            int end = frameEnd(json, at);
            if (end < 0) {
                return null;
            }
            frames.add(frameAt(json, at));
            if (end == n - 1) {
                return frames;
            }
            if (json[end] != ',') {
                return null;
            }
            at = end + 1;
        }
    }

    /** The index just past an exactly spelled frame starting at {@code at}, or -1. */
    private static int frameEnd(byte[] b, int at) {
        if (startsWith(b, at, PING_BYTES)) {
            return at + PING_BYTES.length;
        }
        if (startsWith(b, at, PONG_BYTES)) {
            return at + PONG_BYTES.length;
        }
        if (!startsWith(b, at, ACK_PREFIX)) {
            return -1;
        }
        int i = at + ACK_PREFIX.length;
        int first = i;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        int digits = i - first;
        if (digits == 0 || digits > MAX_SEQ_DIGITS || b[first] == '0' || i >= b.length || b[i] != '}') {
            return -1;
        }
        return i + 1;
    }

    /** The frame at {@code at}, which {@link #frameEnd} matched. */
    private static ClientFrame frameAt(byte[] b, int at) {
        if (startsWith(b, at, PING_BYTES)) {
            return PING;
        }
        if (startsWith(b, at, PONG_BYTES)) {
            return PONG;
        }
        long seq = 0;
        for (int i = at + ACK_PREFIX.length; b[i] != '}'; i++) {
            seq = seq * 10 + (b[i] - '0');
        }
        return new ClientFrame.Ack(seq);
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (at < 0 || b.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
