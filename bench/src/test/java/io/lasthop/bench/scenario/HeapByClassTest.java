package io.lasthop.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.lasthop.bench.probe.ProcessProbes.ClassUse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeapByClassTest {
    @Test
    void theClassesThatGrewMostPerSessionComeFirstAndTheTotalCountsEveryClass() {
        Map<String, ClassUse> before = Map.of(
                "io.netty.channel.DefaultChannelHandlerContext", new ClassUse(100, 8_000),
                "[B", new ClassUse(50, 100_000),
                "gone.Class", new ClassUse(10, 1_000));
        Map<String, ClassUse> after = Map.of(
                "io.netty.channel.DefaultChannelHandlerContext", new ClassUse(12_100, 968_000),
                "[B", new ClassUse(2_050, 300_000),
                "com.rabbitmq.client.impl.ChannelN", new ClassUse(1_000, 250_000));
        HeapByClass h = HeapByClass.perSession(before, after, 1_000, 2);
        assertEquals(
                List.of(
                        new HeapByClass.Row("io.netty.channel.DefaultChannelHandlerContext", 12, 960),
                        new HeapByClass.Row("com.rabbitmq.client.impl.ChannelN", 1, 250)),
                h.rows());
        assertEquals(960 + 250 + 200 - 1, h.totalBytes(), 1e-9);
    }

    @Test
    void classesThatGrewAlikeComeByName() {
        Map<String, ClassUse> after = Map.of(
                "b.Second", new ClassUse(10, 100),
                "a.First", new ClassUse(10, 100),
                "c.Third", new ClassUse(10, 100));
        assertEquals(
                List.of("a.First", "b.Second"),
                HeapByClass.perSession(Map.of("x.Before", new ClassUse(1, 16)), after, 10, 2).rows().stream()
                        .map(HeapByClass.Row::className)
                        .toList());
    }

    @Test
    void withoutBothHistogramsThereIsNothingToSay() {
        assertSame(HeapByClass.NONE, HeapByClass.perSession(Map.of(), Map.of("[B", new ClassUse(1, 16)), 10, 5));
    }
}
