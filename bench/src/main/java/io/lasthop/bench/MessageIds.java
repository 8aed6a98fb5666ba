package io.lasthop.bench;

/**
 * Message ids of the harness: {@code p<phase>.<n>}, where n counts the messages of one phase from
 * 0. Dense numbers let a phase's ledger be a bit set.
 */
public final class MessageIds {
    private MessageIds() {}

    public static String of(int phase, long n) {
        return "p" + phase + "." + n;
    }

    /** The phase of an id, or -1 if it is not one of ours. */
    public static int phase(CharSequence id) {
        if (id == null || id.length() < 4 || id.charAt(0) != 'p') {
            return -1;
        }
        long v = 0;
        int i = 1;
        for (; i < id.length() && id.charAt(i) != '.'; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9' || i > 9) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return i == 1 || i >= id.length() - 1 ? -1 : (int) v;
    }

    /** The message number of an id, or -1 if it is not one of ours. */
    public static long number(CharSequence id) {
        if (phase(id) < 0) {
            return -1;
        }
        int dot = 1;
        while (id.charAt(dot) != '.') {
            dot++;
        }
        long v = 0;
        for (int i = dot + 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9' || i - dot > 18) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
