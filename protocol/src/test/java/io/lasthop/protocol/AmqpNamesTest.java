package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AmqpNamesTest {
    private static final String SID = "AAAAAAAAAAAAAAAAAAAAAA";
    private static final Pattern QUEUE_NAME =
            Pattern.compile("lasthop\\.s\\.[A-Za-z0-9_-]{0,32}\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{22}");

    // ---- session ids ----

    @Test
    void newSessionIdsAreValidAndUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = AmqpNames.newSessionId();
            assertEquals(22, id.length(), id);
            assertTrue(AmqpNames.isValidSessionId(id), id);
            assertTrue(seen.add(id), "duplicate " + id);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "AAAAAAAAAAAAAAAAAAAAAA",
                "abcdefghijklmnopqrstuv",
                "0123456789_-ABCDEFGHIJ",
                "----------------------"
            })
    void validSessionIds(String id) {
        assertTrue(AmqpNames.isValidSessionId(id));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "AAAAAAAAAAAAAAAAAAAAA",
                "AAAAAAAAAAAAAAAAAAAAAAA",
                "AAAAAAAAAAAAAAAAAAAAA+",
                "AAAAAAAAAAAAAAAAAAAAA/",
                "AAAAAAAAAAAAAAAAAAAAA=",
                "AAAAAAAAAAAAAAAAAAAAA.",
                "AAAAAAAAAAAAAAAAAAAAA ",
                "AAAAAAAAAAAAAAAAAAAAAé",
                "AAAAAAAAAAAAAAAAAAAAA\n",
                "../../../../../../../x"
            })
    void invalidSessionIds(String id) {
        assertFalse(AmqpNames.isValidSessionId(id));
    }

    // ---- session queues ----

    static Set<String> users() {
        return Set.of(
                "alice",
                "",
                "alice@example.com",
                "x".repeat(10_000),
                "é".repeat(300),
                "用户".repeat(200),
                "😀".repeat(1000),
                "a.b*c#d",
                "\u0000\n\t",
                "sha256:abc");
    }

    @ParameterizedTest
    @MethodSource("users")
    void sessionQueueFitsAShortStringForAnyUser(String user) {
        String q = AmqpNames.sessionQueue(user, SID);
        assertTrue(q.getBytes(StandardCharsets.UTF_8).length <= AmqpNames.MAX_SHORTSTR_BYTES, q);
        assertTrue(QUEUE_NAME.matcher(q).matches(), q);
        assertTrue(q.startsWith(AmqpNames.SESSION_QUEUE_PREFIX));
        assertTrue(q.endsWith("." + SID));
    }

    @Test
    void sessionQueueIsStable() {
        assertEquals(AmqpNames.sessionQueue("alice", SID), AmqpNames.sessionQueue("alice", SID));
    }

    @Test
    void sessionQueueKeepsAReadablePrefixOfTheUser() {
        assertTrue(AmqpNames.sessionQueue("alice@example.com", SID).startsWith("lasthop.s.alice_example_com."));
        assertTrue(AmqpNames.sessionQueue("x".repeat(100), SID).startsWith("lasthop.s." + "x".repeat(32) + "."));
    }

    @Test
    void sessionQueueDiffersPerUserForTheSameSessionId() {
        Set<String> users = Set.of(
                "alice", "bob", "Alice", "a@x", "a#x", "a_x", "x".repeat(40) + "1", "x".repeat(40) + "2", "é", "è", "");
        Set<String> queues = new HashSet<>();
        for (String user : users) {
            queues.add(AmqpNames.sessionQueue(user, SID));
        }
        assertEquals(users.size(), queues.size(), "users sharing a readable prefix must still get their own queue");
    }

    @Test
    void sessionQueueDiffersPerSession() {
        assertNotEquals(
                AmqpNames.sessionQueue("alice", SID), AmqpNames.sessionQueue("alice", "BAAAAAAAAAAAAAAAAAAAAA"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"short", "AAAAAAAAAAAAAAAAAAAAA.", "../../../../../../../x", "AAAAAAAAAAAAAAAAAAAAAAA"})
    void sessionQueueRefusesInvalidSessionIds(String id) {
        assertThrows(IllegalArgumentException.class, () -> AmqpNames.sessionQueue("alice", id));
    }

    // ---- user routing keys ----

    @ParameterizedTest
    @ValueSource(strings = {"alice", "", "alice@example.com", "用户", "a.b.c"})
    void shortUserIdIsItsOwnRoutingKey(String user) {
        assertEquals(user, AmqpNames.userRoutingKey(user));
    }

    @Test
    void userIdOfExactly255BytesIsItsOwnRoutingKey() {
        String ascii = "u".repeat(255);
        String euro = "€".repeat(85); // 3 bytes each
        assertEquals(ascii, AmqpNames.userRoutingKey(ascii));
        assertEquals(euro, AmqpNames.userRoutingKey(euro));
    }

    @Test
    void userIdAbove255BytesIsHashed() throws Exception {
        String ascii = "u".repeat(256);
        String twoByte = "é".repeat(128); // 128 characters, 256 bytes
        for (String user : Set.of(ascii, twoByte, "😀".repeat(1000))) {
            String key = AmqpNames.userRoutingKey(user);
            String hex = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8)));
            assertEquals("sha256:" + hex, key);
            assertTrue(key.matches("sha256:[0-9a-f]{64}"), key);
        }
        assertNotEquals(AmqpNames.userRoutingKey("u".repeat(256)), AmqpNames.userRoutingKey("u".repeat(257)));
    }

    /** Issue 11, finding 6: a chosen sub must never receive the messages of a hashed long user id. */
    @Test
    void aSubSpelledLikeAHashedKeyDoesNotReachThatUser() {
        String victim = "v".repeat(300);
        String attacker = AmqpNames.userRoutingKey(victim);
        assertTrue(attacker.getBytes(StandardCharsets.UTF_8).length <= AmqpNames.MAX_SHORTSTR_BYTES);
        assertNotEquals(AmqpNames.userRoutingKey(victim), AmqpNames.userRoutingKey(attacker));
        assertNotEquals(AmqpNames.sessionQueue(victim, SID), AmqpNames.sessionQueue(attacker, SID));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sha256:",
                "sha256:abc",
                "sha256:alice",
                "sha256:85e62acd750c4eb56b7b6a1d66dca5bfaac5f062608a1a893410d0288936c09a"
            })
    void userIdWithTheReservedPrefixIsHashed(String user) {
        assertEquals("sha256:" + sha256Hex(user), AmqpNames.userRoutingKey(user));
    }

    /** The examples of PROTOCOL.md §10, which services in other languages check themselves against. */
    @Test
    void routingKeyExamplesOfTheProtocol() {
        assertEquals("alice", AmqpNames.userRoutingKey("alice"));
        assertEquals(
                "sha256:85e62acd750c4eb56b7b6a1d66dca5bfaac5f062608a1a893410d0288936c09a",
                AmqpNames.userRoutingKey("x".repeat(256)));
        assertEquals(
                "sha256:67e9bc3cfd2163c2978358dfe00d2f912cd4ee0c99f077c3583b39b48aebb124",
                AmqpNames.userRoutingKey("sha256:abc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sha256", "SHA256:abc", "Sha256:abc", " sha256:abc", "sha512:abc", "x:sha256:abc"})
    void userIdThatOnlyResemblesTheReservedPrefixIsItsOwnRoutingKey(String user) {
        assertEquals(user, AmqpNames.userRoutingKey(user));
    }

    /** Literal keys never start with the prefix and hashed keys always do, so the two can never meet. */
    @ParameterizedTest
    @MethodSource("users")
    void routingKeyIsLiteralOrHashedNeverBoth(String user) {
        String key = AmqpNames.userRoutingKey(user);
        assertTrue(key.getBytes(StandardCharsets.UTF_8).length <= AmqpNames.MAX_SHORTSTR_BYTES, key);
        if (key.startsWith("sha256:")) {
            assertEquals("sha256:" + sha256Hex(user), key);
        } else {
            assertEquals(user, key);
        }
    }

    @Test
    void routingKeysOfDistinctUsersDiffer() {
        Set<String> users = new HashSet<>(users());
        for (String u : users()) {
            users.add(AmqpNames.userRoutingKey(u));
            users.add(AmqpNames.userRoutingKey(AmqpNames.userRoutingKey(u)));
        }
        Set<String> keys = new HashSet<>();
        for (String user : users) {
            assertTrue(keys.add(AmqpNames.userRoutingKey(user)), "two users share the key of " + user);
        }
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
