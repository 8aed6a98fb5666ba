package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
    private static final byte[] BODY = "{\"order\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void publisherMessageIdPassesThrough() {
        assertEquals("m-42", MessageIds.of("m-42", "lasthop.user", "alice", 1L, "c", BODY));
        assertEquals("h:not-a-hash", MessageIds.of("h:not-a-hash", "x", "k", null, null, BODY));
    }

    @Test
    void emptyMessageIdIsTreatedAsUnset() {
        assertEquals(derived(), MessageIds.of("", "lasthop.user", "alice", 1000L, "corr", BODY));
    }

    @Test
    void derivedIdHasItsOwnForm() {
        assertTrue(derived().matches("h:[A-Za-z0-9_-]{22}"), derived());
    }

    @Test
    void derivedIdIsStableForTheSameContent() {
        byte[] copy = BODY.clone();
        assertEquals(
                derived(),
                MessageIds.of(null, new String("lasthop.user"), new String("alice"), 1000L, new String("corr"), copy));
    }

    @Test
    void derivedIdDiffersWhenAnyInputDiffers() {
        String base = derived();
        assertNotEquals(
                base,
                MessageIds.of(
                        null, "lasthop.user", "alice", 1000L, "corr", "{\"order\":2}".getBytes(StandardCharsets.UTF_8)),
                "body");
        assertNotEquals(base, MessageIds.of(null, "lasthop.user", "bob", 1000L, "corr", BODY), "routing key");
        assertNotEquals(base, MessageIds.of(null, "lasthop.user", "alice", 1001L, "corr", BODY), "timestamp");
        assertNotEquals(base, MessageIds.of(null, "lasthop.user", "alice", null, "corr", BODY), "no timestamp");
        assertNotEquals(base, MessageIds.of(null, "lasthop.topic", "alice", 1000L, "corr", BODY), "exchange");
        assertNotEquals(base, MessageIds.of(null, "lasthop.user", "alice", 1000L, "corr2", BODY), "correlation id");
        assertNotEquals(base, MessageIds.of(null, "lasthop.user", "alice", 1000L, null, BODY), "no correlation id");
    }

    @Test
    void absentTimestampDiffersFromZero() {
        assertNotEquals(MessageIds.of(null, "x", "k", null, null, BODY), MessageIds.of(null, "x", "k", 0L, null, BODY));
    }

    /** Fields are length-prefixed, so moving bytes from one field to the next changes the id. */
    @Test
    void fieldBoundariesMatter() {
        assertNotEquals(
                MessageIds.of(null, "ab", "c", null, null, BODY), MessageIds.of(null, "a", "bc", null, null, BODY));
        assertNotEquals(
                MessageIds.of(null, "x", "k", null, "ab", new byte[] {'c'}),
                MessageIds.of(null, "x", "k", null, "a", new byte[] {'b', 'c'}));
    }

    private static String derived() {
        return MessageIds.of(null, "lasthop.user", "alice", 1000L, "corr", BODY);
    }
}
