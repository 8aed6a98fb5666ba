package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CloseCodeTest {

    @Test
    void codesAreUnique() {
        Set<Integer> codes =
                Arrays.stream(CloseCode.values()).map(CloseCode::code).collect(Collectors.toSet());
        assertEquals(CloseCode.values().length, codes.size());
    }

    @Test
    void reasonsAreUnique() {
        Set<String> reasons =
                Arrays.stream(CloseCode.values()).map(CloseCode::reason).collect(Collectors.toSet());
        assertEquals(CloseCode.values().length, reasons.size());
    }

    /** 4000–4999 is the range RFC 6455 leaves to applications; each code sits in a documented band. */
    @ParameterizedTest
    @EnumSource(CloseCode.class)
    void everyCodeIsInADocumentedRange(CloseCode c) {
        int n = c.code();
        assertTrue((n >= 4000 && n <= 4099) || (n >= 4100 && n <= 4199) || (n >= 4500 && n <= 4599), c + " " + n);
    }

    /** The reason is the WebSocket close reason: at most 123 bytes, and machine-readable. */
    @ParameterizedTest
    @EnumSource(CloseCode.class)
    void reasonIsAShortMachineName(CloseCode c) {
        assertTrue(c.reason().matches("[a-z]+(_[a-z]+)*"), c.reason());
        assertTrue(c.reason().getBytes(StandardCharsets.UTF_8).length <= 123);
        assertEquals(c.name().toLowerCase(Locale.ROOT), c.reason());
    }

    @Test
    void documentedClassification() {
        assertTrue(resumable(CloseCode.GOING_AWAY));
        assertTrue(resumable(CloseCode.ACK_TIMEOUT));
        assertTrue(resumable(CloseCode.HEARTBEAT_TIMEOUT));
        assertFalse(resumable(CloseCode.TOKEN_EXPIRED) || terminal(CloseCode.TOKEN_EXPIRED));
        assertFalse(resumable(CloseCode.SESSION_EXPIRED) || terminal(CloseCode.SESSION_EXPIRED));
        assertTrue(terminal(CloseCode.SESSION_TAKEN_OVER));
        assertEquals(4000, CloseCode.GOING_AWAY.code());
        assertEquals(4500, CloseCode.SESSION_TAKEN_OVER.code());
    }

    /** The bands of the class Javadoc, as clients apply them: the edge itself never needs them. */
    private static boolean resumable(CloseCode c) {
        return c.code() >= 4000 && c.code() <= 4099;
    }

    private static boolean terminal(CloseCode c) {
        return c.code() >= 4500 && c.code() <= 4599;
    }
}
