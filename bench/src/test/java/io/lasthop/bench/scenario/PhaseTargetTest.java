package io.lasthop.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a phase expects: one delivery per confirmed message to a user, one per subscriber to a topic. */
class PhaseTargetTest {
    private static final Schedule.Plan PLAN = new Schedule.Plan(10, new int[] {0, 1, 1, 0}, new int[] {64, 64, 64, 64});

    private static Publisher.Result published(long sent, long confirmed, int... notConfirmed) {
        return new Publisher.Result(sent, confirmed, notConfirmed.length, 0, 1, 0, 0, false, notConfirmed);
    }

    @Test
    void toUsersExpectsEachConfirmedMessageOnce() {
        PhaseTarget t = PhaseTarget.toUsers(List.of("u0", "u1"));
        assertEquals(4, t.ledgerSize(PLAN));
        assertEquals(3, t.expected(PLAN, published(4, 3, 2)));
    }

    @Test
    void toTopicsExpectsEachConfirmedMessageAtEverySubscriberOfItsTopic() {
        Fanout f = new Fanout(5, 2); // topic 0: 3 subscribers, topic 1: 2
        PhaseTarget t = PhaseTarget.toTopics(f, f.topicNames("r", "a"));
        assertEquals(4 * 3, t.ledgerSize(PLAN));
        assertEquals(3 + 2 + 2 + 3, t.expected(PLAN, published(4, 4)));
        assertEquals(3 + 2 + 3, t.expected(PLAN, published(4, 3, 2)), "message 2 was nacked");
    }
}
