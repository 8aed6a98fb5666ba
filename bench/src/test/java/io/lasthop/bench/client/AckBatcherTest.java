package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AckBatcherTest {
    @Test
    void firstMessageArmsTheTimerWhichAcksTheHighest() {
        AckBatcher b = new AckBatcher();
        assertEquals(AckBatcher.Action.ARM_TIMER, b.onMessage(1));
        assertEquals(AckBatcher.Action.NONE, b.onMessage(2));
        assertEquals(AckBatcher.Action.NONE, b.onMessage(3));
        assertEquals(3, b.onTimer());
        assertEquals(0, b.onTimer(), "nothing new");
        assertEquals(AckBatcher.Action.ARM_TIMER, b.onMessage(4));
    }

    @Test
    void thirtyTwoUnackedAckAtOnce() {
        AckBatcher b = new AckBatcher();
        for (int seq = 1; seq < 32; seq++) {
            assertEquals(seq == 1 ? AckBatcher.Action.ARM_TIMER : AckBatcher.Action.NONE, b.onMessage(seq));
        }
        assertEquals(AckBatcher.Action.ACK_NOW, b.onMessage(32));
        assertEquals(32, b.take());
        assertEquals(AckBatcher.Action.ARM_TIMER, b.onMessage(33));
        assertEquals(33, b.onTimer());
        assertEquals(33, b.acked());
    }

    @Test
    void acksNeverGoBackwards() {
        AckBatcher b = new AckBatcher();
        b.onMessage(10);
        assertEquals(10, b.take());
        b.onMessage(9);
        assertEquals(0, b.take());
    }

    @Test
    void aNewConnectionCountsFromOneAgain() {
        AckBatcher b = new AckBatcher();
        b.onMessage(40);
        assertEquals(40, b.take());
        b.reset();
        assertEquals(AckBatcher.Action.ARM_TIMER, b.onMessage(1));
        assertEquals(1, b.onTimer());
    }
}
