package io.lasthop.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bodies the publisher sends: compact JSON {@code {"sentUs":<epoch micros>,"pad":"xxx…"}}, padded
 * so the whole body is exactly the requested number of bytes when that is at least
 * {@link #minSize()}; smaller requests get the minimum. The field is {@code sentUs}, not a
 * {@code System.nanoTime} value: see {@link EpochMicros}.
 */
public final class Payloads {
    private static final byte[] HEAD = "{\"sentUs\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MID = ",\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL = "\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY = "\"sentUs\":".getBytes(StandardCharsets.US_ASCII);
    /** Digits of an epoch-micros value until 2286. */
    static final int TIME_DIGITS = 16;

    private Payloads() {}

    /** The smallest body: an empty pad. */
    public static int minSize() {
        return HEAD.length + TIME_DIGITS + MID.length + TAIL.length;
    }

    public static byte[] body(long sentUs, int size) {
        String digits = Long.toString(sentUs);
        int pad = Math.max(0, size - (HEAD.length + digits.length() + MID.length + TAIL.length));
        byte[] out = new byte[HEAD.length + digits.length() + MID.length + pad + TAIL.length];
        int p = 0;
        System.arraycopy(HEAD, 0, out, p, HEAD.length);
        p += HEAD.length;
        for (int i = 0; i < digits.length(); i++) {
            out[p++] = (byte) digits.charAt(i);
        }
        System.arraycopy(MID, 0, out, p, MID.length);
        p += MID.length;
        Arrays.fill(out, p, p + pad, (byte) 'x');
        p += pad;
        System.arraycopy(TAIL, 0, out, p, TAIL.length);
        return out;
    }

    /**
     * Reads {@code sentUs} from a body made by {@link #body}: the digits after the first
     * {@code "sentUs":}. Returns -1 when there is none.
     */
    public static long sentUs(byte[] body, int off, int len) {
        int end = off + len;
        for (int i = off; i <= end - KEY.length; i++) {
            int k = 0;
            while (k < KEY.length && body[i + k] == KEY[k]) {
                k++;
            }
            if (k < KEY.length) {
                continue;
            }
            int j = i + KEY.length;
            long v = 0;
            int digits = 0;
            while (j < end && body[j] >= '0' && body[j] <= '9' && digits < 18) {
                v = v * 10 + (body[j++] - '0');
                digits++;
            }
            return digits == 0 ? -1 : v;
        }
        return -1;
    }
}
