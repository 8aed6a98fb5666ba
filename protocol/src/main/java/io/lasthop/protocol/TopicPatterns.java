package io.lasthop.protocol;

import java.nio.charset.StandardCharsets;

/**
 * AMQP topic syntax: words separated by {@code .}, where a binding's {@code *} matches one word and
 * {@code #} zero or more. Used to check a client's routing key or topic against the patterns its
 * token allows.
 */
public final class TopicPatterns {
    /** In a token's pattern, stands for the token's own {@code sub}. */
    public static final String SUBJECT_PLACEHOLDER = "{sub}";

    private TopicPatterns() {}

    /**
     * A routing key a client may publish with: 1 to 255 bytes, no empty word, and no {@code *} or
     * {@code #} anywhere, so it can never be read as a wildcard.
     */
    public static boolean isLiteralKey(String key) {
        return isWellFormed(key) && key.indexOf('*') < 0 && key.indexOf('#') < 0;
    }

    /**
     * A topic pattern a client may subscribe with: 1 to 255 bytes, no empty word, and {@code *} or
     * {@code #} only as whole words.
     */
    public static boolean isPattern(String pattern) {
        if (!isWellFormed(pattern)) {
            return false;
        }
        for (String word : pattern.split("\\.", -1)) {
            if (!word.equals("*") && !word.equals("#") && (word.indexOf('*') >= 0 || word.indexOf('#') >= 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces {@value #SUBJECT_PLACEHOLDER} with the user id. A user id that is not a single plain
     * word (it holds {@code .}, {@code *} or {@code #}) would widen the pattern, so such a pattern
     * yields null: it allows nothing.
     */
    public static String expand(String pattern, String userId) {
        if (!pattern.contains(SUBJECT_PLACEHOLDER)) {
            return pattern;
        }
        if (userId.isEmpty() || userId.indexOf('.') >= 0 || userId.indexOf('*') >= 0 || userId.indexOf('#') >= 0) {
            return null;
        }
        return pattern.replace(SUBJECT_PLACEHOLDER, userId);
    }

    /**
     * True when every routing key that {@code requested} matches is also matched by {@code allowed}.
     * For a literal key this is plain topic matching; for a pattern it is containment, so a client
     * may subscribe to {@code prices.*} under {@code prices.#} but not to {@code #} under it.
     */
    public static boolean covers(String allowed, String requested) {
        String[] a = allowed.split("\\.", -1);
        String[] r = requested.split("\\.", -1);
        Boolean[][] memo = new Boolean[a.length + 1][r.length + 1];
        return covers(a, 0, r, 0, memo);
    }

    private static boolean covers(String[] a, int i, String[] r, int j, Boolean[][] memo) {
        if (memo[i][j] != null) {
            return memo[i][j];
        }
        boolean result;
        if (i == a.length) {
            result = j == r.length;
        } else if (a[i].equals("#")) {
            // '#' in the allowed pattern absorbs any run of requested words, wildcards included.
            result = covers(a, i + 1, r, j, memo) || (j < r.length && covers(a, i, r, j + 1, memo));
        } else if (j == r.length || r[j].equals("#")) {
            // A requested '#' can match any run of words: only an allowed '#' covers it.
            result = false;
        } else if (a[i].equals("*")) {
            result = covers(a, i + 1, r, j + 1, memo);
        } else {
            result = a[i].equals(r[j]) && covers(a, i + 1, r, j + 1, memo);
        }
        memo[i][j] = result;
        return result;
    }

    private static boolean isWellFormed(String s) {
        if (s == null || s.isEmpty() || s.getBytes(StandardCharsets.UTF_8).length > AmqpNames.MAX_SHORTSTR_BYTES) {
            return false;
        }
        for (String word : s.split("\\.", -1)) {
            if (word.isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
