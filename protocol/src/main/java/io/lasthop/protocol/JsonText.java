package io.lasthop.protocol;

/**
 * Whether bytes of well-formed UTF-8 are exactly one JSON value (RFC 8259), decided as Jackson's
 * default parser decides it but without allocating: it runs on every {@code application/json}
 * delivery, and a parser per body was 7 % of what the edge allocated at 1,000 deliveries a second.
 * Where Jackson applies a limit of its own (nesting depth, number and name length) the answer is
 * {@link #UNSURE} well before it, and the caller asks Jackson.
 */
final class JsonText {
    static final int NO = 0;
    static final int YES = 1;
    static final int UNSURE = 2;

    /** Deeper nesting is Jackson's to judge (its limit is 1,000); 64 levels fit a long's bits. */
    private static final int MAX_DEPTH = 64;
    /** Longer numbers are Jackson's to judge (its limit is 1,000 characters). */
    private static final int MAX_NUMBER = 100;
    /** Longer object keys are Jackson's to judge (its limit is 50,000 bytes). */
    private static final int MAX_NAME = 1_000;

    private JsonText() {}

    /**
     * {@link #YES} if {@code b}, well-formed UTF-8 without a byte order mark, holds one JSON value
     * with optional whitespace around it; {@link #NO} if not; {@link #UNSURE} past the limits above.
     */
    static int singleValue(byte[] b) {
        int i = value(b, skipSpace(b, 0));
        if (i < 0) {
            return -i - 1 == UNSURE ? UNSURE : NO;
        }
        return skipSpace(b, i) == b.length ? YES : NO;
    }

    // The scanner: one pass over the bytes. Each method below takes the index to read at and returns
    // the index after what it read, or -(verdict + 1) to stop. Containers nest without recursion: a
    // bit per level says whether it is an object.
    private static final int FAIL = -(NO + 1);
    private static final int GIVE_UP = -(UNSURE + 1);

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int value(byte[] b, int i) {
        long objects = 0;
        int depth = 0;
        while (true) {
            if (i >= b.length) {
                return FAIL;
            }
            byte c = b[i];
            if (c == '{' || c == '[') {
                if (depth == MAX_DEPTH) {
                    return GIVE_UP;
                }
                boolean object = c == '{';
                objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
                depth++;
                i = skipSpace(b, i + 1);
                if (i < b.length && b[i] == (object ? '}' : ']')) {
                    // An empty container: a whole value.
                    i++;
                    depth--;
                } else {
                    if (object) {
                        i = member(b, i);
                        if (i < 0) {
                            return i;
                        }
                    }
                    continue;
                }
            } else {
                i = scalar(b, i);
                if (i < 0) {
                    return i;
                }
            }
            // A value ended: a comma goes on to the next in its container, a close bracket ends it.
            while (true) {
                if (depth == 0) {
                    return i;
                }
                boolean object = (objects & (1L << (depth - 1))) != 0;
                i = skipSpace(b, i);
                if (i >= b.length) {
                    return FAIL;
                }
                if (b[i] == ',') {
                    i = skipSpace(b, i + 1);
                    if (object) {
                        i = member(b, i);
                        if (i < 0) {
                            return i;
                        }
                    }
                    break;
                }
                if (b[i] != (object ? '}' : ']')) {
                    return FAIL;
                }
                i++;
                depth--;
            }
        }
    }

    /** An object's key and colon, up to its value. */
    private static int member(byte[] b, int i) {
        if (i >= b.length || b[i] != '"') {
            return FAIL;
        }
        int end = string(b, i);
        if (end < 0) {
            return end;
        }
        if (end - i - 2 > MAX_NAME) {
            return GIVE_UP;
        }
        i = skipSpace(b, end);
        if (i >= b.length || b[i] != ':') {
            return FAIL;
        }
        return skipSpace(b, i + 1);
    }

    private static int scalar(byte[] b, int i) {
        byte c = b[i];
        if (c == '"') {
            return string(b, i);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number(b, i);
        }
        if (c == 't') {
            return literal(b, i, "true");
        }
        if (c == 'f') {
            return literal(b, i, "false");
        }
        if (c == 'n') {
            return literal(b, i, "null");
        }
        return FAIL;
    }

    private static int string(byte[] b, int i) {
        i++;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x20) {
                return FAIL;
            }
            if (c == '\\') {
                if (i + 1 >= b.length) {
                    return FAIL;
                }
                byte e = b[i + 1];
                if (e == 'u') {
                    if (i + 6 > b.length) {
                        return FAIL;
                    }
                    for (int k = i + 2; k < i + 6; k++) {
                        if (!isHex(b[k])) {
                            return FAIL;
                        }
                    }
                    i += 6;
                    continue;
                }
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                    return FAIL;
                }
                i += 2;
                continue;
            }
            // Bytes of a multi-byte character: the caller checked the UTF-8.
            i++;
        }
        return FAIL;
    }

    private static int number(byte[] b, int i) {
        int start = i;
        if (b[i] == '-') {
            i++;
        }
        if (i >= b.length) {
            return FAIL;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            i = digits(b, i);
        } else {
            return FAIL;
        }
        if (i < b.length && b[i] == '.') {
            int after = digits(b, i + 1);
            if (after == i + 1) {
                return FAIL;
            }
            i = after;
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int after = digits(b, i);
            if (after == i) {
                return FAIL;
            }
            i = after;
        }
        if (i - start > MAX_NUMBER) {
            return GIVE_UP;
        }
        // A digit after a leading zero ("01"), or anything else glued to the number, is refused by
        // what follows: only whitespace, a comma or a closing bracket may.
        return i;
    }

    private static int digits(byte[] b, int i) {
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        return i;
    }

    private static int literal(byte[] b, int i, String word) {
        if (b.length - i < word.length()) {
            return FAIL;
        }
        for (int k = 0; k < word.length(); k++) {
            if (b[i + k] != word.charAt(k)) {
                return FAIL;
            }
        }
        return i + word.length();
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
