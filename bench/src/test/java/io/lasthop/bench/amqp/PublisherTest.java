package io.lasthop.bench.amqp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PublisherTest {
    @Test
    void notConfirmedAreThisPhasesNackedAndPendingTagsAsPlanIndexes() {
        // The phase's first message took tag 101 and 10 were sent (tags 101-110).
        int[] idx = Publisher.notConfirmed(101, 10, List.of(99L, 104L, 102L), List.of(110L, 104L, 111L));
        assertArrayEquals(new int[] {1, 3, 9}, idx, "99: an earlier phase's; 111: not this phase's");
        assertArrayEquals(new int[0], Publisher.notConfirmed(1, 5, List.of(), List.of()));
    }
}
