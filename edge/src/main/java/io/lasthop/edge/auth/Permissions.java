package io.lasthop.edge.auth;

import io.lasthop.protocol.TopicPatterns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what a token allows from its {@code lasthop} claim:
 * <pre>{"lasthop": {"subscribe": ["prices.#", "user.{sub}.#"], "send": ["chat.{sub}"]}}</pre>
 * Patterns use AMQP topic syntax; {@code {sub}} stands for the token's subject. No claim, no right.
 */
public final class Permissions {
    public static final String CLAIM = "lasthop";

    private Permissions() {}

    /** The expanded patterns of {@code claim.field}; a malformed claim is an error, not "allow all". */
    static List<String> patterns(Object claim, String field, String userId) throws AuthException {
        if (claim == null) {
            return List.of();
        }
        if (!(claim instanceof Map<?, ?> map)) {
            throw new AuthException(io.lasthop.protocol.ErrorCode.TOKEN_INVALID, "the lasthop claim must be an object");
        }
        Object value = map.get(field);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new AuthException(
                    io.lasthop.protocol.ErrorCode.TOKEN_INVALID,
                    "lasthop." + field + " must be an array of topic patterns");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object p : list) {
            if (!(p instanceof String s)) {
                throw new AuthException(
                        io.lasthop.protocol.ErrorCode.TOKEN_INVALID, "lasthop." + field + " must hold strings");
            }
            String expanded = TopicPatterns.expand(s, userId);
            if (expanded != null) {
                out.add(expanded);
            }
        }
        return List.copyOf(out);
    }

    /** True when one of {@code allowed} covers {@code requested} (a literal key or a pattern). */
    public static boolean allows(List<String> allowed, String requested) {
        for (String pattern : allowed) {
            if (TopicPatterns.covers(pattern, requested)) {
                return true;
            }
        }
        return false;
    }
}
