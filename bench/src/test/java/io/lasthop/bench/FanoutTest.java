package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FanoutTest {
    @Test
    void everySubscriberHasItsOwnSlotInOneTopic() {
        Fanout f = new Fanout(10, 4); // topics of 3, 3, 2, 2 subscribers
        assertEquals(3, f.width());
        Set<List<Integer>> seen = new HashSet<>();
        int[] perTopic = new int[4];
        for (int j = 0; j < 10; j++) {
            int t = f.topicOf(j);
            int slot = f.slotOf(j);
            assertTrue(slot < f.width());
            assertTrue(seen.add(List.of(t, slot)), "subscriber " + j + " shares a slot");
            perTopic[t]++;
        }
        for (int t = 0; t < 4; t++) {
            assertEquals(perTopic[t], f.subscribersOf(t), "topic " + t);
        }
        assertEquals(
                List.of(3, 3, 2, 2),
                List.of(f.subscribersOf(0), f.subscribersOf(1), f.subscribersOf(2), f.subscribersOf(3)));
        assertEquals(7 * 3, f.ledgerSize(7));
    }

    @Test
    void deliveriesOfEachMessageToTheSubscribersOfItsTopicGetDistinctIndexes() {
        Fanout f = new Fanout(7, 3); // 3, 2, 2 subscribers
        List<Fanout.Subscriber> subs = f.subscribers(List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6"), "r1", "a");
        List<String> topics = f.topicNames("r1", "a");
        Set<Long> indexes = new HashSet<>();
        long deliveries = 0;
        for (int n = 0; n < 60; n++) {
            String topic = topics.get(n % 3);
            for (Fanout.Subscriber s : subs) {
                if (s.topic().equals(topic)) {
                    long i = s.ledgerIndex(topic, n);
                    assertTrue(i >= 0 && i < f.ledgerSize(60), "index " + i + " outside the ledger");
                    assertTrue(indexes.add(i), "index " + i + " used twice");
                    deliveries++;
                }
            }
        }
        assertEquals(20 * (3 + 2 + 2), deliveries);
    }

    @Test
    void whatIsNotOursOrNotForThisSubscriberIsForeign() {
        Fanout.Subscriber s = new Fanout.Subscriber("u", "bench.r.a.t0", 2, 5);
        assertEquals(3 * 5 + 2, s.ledgerIndex("bench.r.a.t0", 3));
        assertEquals(
                -1,
                s.ledgerIndex("bench.r.a.t1", 3),
                "a misrouted message would take the slot of topic t1's subscriber 2");
        assertEquals(
                -1, s.ledgerIndex("bench.r.a.t0", -1), "an id that is not ours must not land in slot 2 of message 0");
        assertEquals(-1, s.ledgerIndex("bench.r.a.t0", Long.MAX_VALUE / 4), "an overflowing index must not wrap");
        assertThrows(IllegalArgumentException.class, () -> new Fanout.Subscriber("u", "t", 5, 5));
    }

    @Test
    void subscribersGetTheirTopicNameSlotAndWidth() {
        Fanout f = new Fanout(5, 2);
        List<Fanout.Subscriber> subs = f.subscribers(List.of("a", "b", "c", "d", "e"), "b1121", "a");
        assertEquals(new Fanout.Subscriber("a", "bench.b1121.a.t0", 0, 3), subs.get(0));
        assertEquals(new Fanout.Subscriber("b", "bench.b1121.a.t1", 0, 3), subs.get(1));
        assertEquals(new Fanout.Subscriber("e", "bench.b1121.a.t0", 2, 3), subs.get(4));
        assertEquals(List.of("bench.b1121.b.t0", "bench.b1121.b.t1"), f.topicNames("b1121", "b"));
        assertThrows(IllegalArgumentException.class, () -> f.subscribers(List.of("a"), "b1121", "a"));
    }

    @Test
    void theGrantCoversEveryTopicOfThePeerAndOnlyThose() {
        String grant = Fanout.grant("b1121", "a");
        assertEquals("bench.b1121.a.*", grant);
        for (String topic : new Fanout(6, 3).topicNames("b1121", "a")) {
            assertTrue(
                    topic.startsWith("bench.b1121.a.") && topic.indexOf('.', "bench.b1121.a.".length()) < 0,
                    topic + " is one word under the grant");
        }
        assertTrue(new Fanout(6, 3).topicNames("b1121", "b").stream().noneMatch(t -> t.startsWith("bench.b1121.a.")));
    }

    @Test
    void wordsThatWouldWidenOrBreakATopicAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Fanout.topic("r.1", "a", 0));
        assertThrows(IllegalArgumentException.class, () -> Fanout.grant("r", "#"));
        assertThrows(IllegalArgumentException.class, () -> Fanout.grant("", "a"));
        assertThrows(IllegalArgumentException.class, () -> new Fanout(3, 4), "a topic without subscribers");
        assertThrows(IllegalArgumentException.class, () -> new Fanout(3, 0));
    }

    @Test
    void expectedDeliveriesCountEverySubscriberOfEachConfirmedMessage() {
        Fanout f = new Fanout(10, 4); // 3, 3, 2, 2
        Schedule.Plan plan = new Schedule.Plan(10, new int[] {0, 2, 3, 1, 2}, new int[] {64, 64, 64, 64, 64});
        assertEquals(3 + 2 + 2 + 3 + 2, f.expected(plan, 5, new int[0]));
        assertEquals(3 + 2 + 2, f.expected(plan, 3, new int[0]), "only what was sent");
        assertEquals(3 + 3 + 2, f.expected(plan, 5, new int[] {1, 2}), "not what the broker refused");
    }

    @Test
    void aLedgerPerProcessCountsLossAndDuplicatesPerDelivery() {
        Fanout f = new Fanout(9, 2); // topic 0: subscribers 0, 2, 4, 6, 8; topic 1: 1, 3, 5, 7 (slot 4 empty)
        int[] topicOf = new int[40];
        for (int n = 0; n < topicOf.length; n++) {
            topicOf[n] = n % 3 == 0 ? 1 : 0;
        }
        Schedule.Plan plan = new Schedule.Plan(100, topicOf, new int[40]);
        List<Fanout.Subscriber> subs = f.subscribers(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8"), "r", "a");
        List<String> topics = f.topicNames("r", "a");
        // Two processes, subscribers 0-3 in one and 4-8 in the other, each with the phase's ledger.
        Ledger first = new Ledger(0, f.ledgerSize(plan.count()));
        Ledger second = new Ledger(0, f.ledgerSize(plan.count()));
        for (int n = 0; n < plan.count(); n++) {
            for (int j = 0; j < subs.size(); j++) {
                Fanout.Subscriber s = subs.get(j);
                if (s.topic().equals(topics.get(plan.user()[n])) && !(n == 7 && j == 6)) { // 7 never reaches 6
                    (j < 4 ? first : second).record(s.ledgerIndex(s.topic(), n), 1, 2);
                }
            }
        }
        second.record(subs.get(7).ledgerIndex(topics.get(1), 3), 1, 2); // message 3 (topic 1) reaches 7 twice
        Ledger.Counts c = first.counts().plus(second.counts());
        long expected = f.expected(plan, plan.count(), new int[0]);
        assertEquals(14 * 4 + 26 * 5, expected);
        Ledger.Counts counts = new Ledger.Counts(expected, c.unique(), c.duplicates(), c.foreign(), c.clockSkewed());
        assertEquals(1, counts.lost());
        assertEquals(1, counts.duplicates());
        assertEquals(0, counts.foreign());
    }
}
