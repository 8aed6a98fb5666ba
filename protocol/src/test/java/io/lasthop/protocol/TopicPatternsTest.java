package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicPatternsTest {

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        // literal keys: plain topic matching
        "prices.#, prices.AAPL, true",
        "prices.#, prices, true",
        "prices.*, prices.AAPL, true",
        "prices.*, prices.AAPL.bid, false",
        "prices.*, prices, false",
        "#, anything.at.all, true",
        "a.*.c, a.b.c, true",
        "a.*.c, a.b.d, false",
        "a.#.c, a.c, true",
        "a.#.c, a.x.y.c, true",
        "a.#.c, a.x.y.d, false",
        "chat.alice, chat.alice, true",
        "chat.alice, chat.alicex, false",
        // patterns: containment
        "prices.#, prices.*, true",
        "prices.#, prices.#, true",
        "prices.*, prices.#, false",
        "prices.#, #, false",
        "*.#, #, false",
        "#, #, true",
        "#, *.*, true",
        "a.*, a.*, true",
        "a.*, *.*, false",
        "#.c, #.c, true",
        "#.c, a.#.c, true",
        "a.#.c, #.c, false",
        "*.#, *, true",
        "*.*, *.#, false",
    })
    void covers(String allowed, String requested, boolean expected) {
        assertEquals(expected, TopicPatterns.covers(allowed, requested));
    }

    @Test
    void literalKeysHaveNoWildcardsAndNoEmptyWords() {
        assertTrue(TopicPatterns.isLiteralKey("chat.room-1"));
        assertFalse(TopicPatterns.isLiteralKey("chat.*"));
        assertFalse(TopicPatterns.isLiteralKey("chat.#"));
        assertFalse(TopicPatterns.isLiteralKey("chat.a*b"));
        assertFalse(TopicPatterns.isLiteralKey("chat..room"));
        assertFalse(TopicPatterns.isLiteralKey(".chat"));
        assertFalse(TopicPatterns.isLiteralKey(""));
        assertFalse(TopicPatterns.isLiteralKey("x".repeat(256)));
        assertTrue(TopicPatterns.isLiteralKey("x".repeat(255)));
    }

    @Test
    void patternsUseWildcardsOnlyAsWholeWords() {
        assertTrue(TopicPatterns.isPattern("prices.*"));
        assertTrue(TopicPatterns.isPattern("#"));
        assertTrue(TopicPatterns.isPattern("a.#.b"));
        assertFalse(TopicPatterns.isPattern("prices.a*"));
        assertFalse(TopicPatterns.isPattern("prices.#x"));
        assertFalse(TopicPatterns.isPattern("a..b"));
    }

    @Test
    void subjectPlaceholderExpandsOnlyForPlainWordUserIds() {
        assertEquals("user.alice.#", TopicPatterns.expand("user.{sub}.#", "alice"));
        assertEquals("prices.#", TopicPatterns.expand("prices.#", "a.b"));
        assertNull(TopicPatterns.expand("user.{sub}.#", "a.b"), "a dotted id would widen the pattern");
        assertNull(TopicPatterns.expand("user.{sub}", "*"));
        assertNull(TopicPatterns.expand("user.{sub}", "#"));
    }
}
