package io.lasthop.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.bench.probe.ProcessProbes.SchedTimes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedSharesTest {
    private static SchedTimes t(long cpuMs, long waitMs) {
        return new SchedTimes(cpuMs * 1_000_000, waitMs * 1_000_000, 0);
    }

    @Test
    void eachGroupsCpuAndWaitPerDeliveryBetweenTwoReadings() {
        var before = Map.of(
                "edge",
                Map.of("lasthop-io", t(1_000, 200), "AMQP Connection", t(500, 50), "GC Thread", t(100, 10)),
                "broker",
                Map.of("scheduler", t(9_000, 900)));
        var after = Map.of(
                "edge",
                Map.of(
                        "lasthop-io", t(1_500, 300), // 500 ms of CPU, 100 ms waiting
                        "AMQP Connection", t(500, 50), // idle: counted in the total, no row of its own
                        "GC Thread", t(90, 10), // a thread of the group ended: left out
                        "C2 CompilerThre", t(40, 4)), // not in the first reading: left out
                "broker",
                Map.of("scheduler", t(10_000, 1_400)));

        Map<String, Map<String, Double>> s = SchedShares.between(before, after, 1_000);

        assertEquals(Map.of("cpu_us", 500.0, "wait_us", 100.0), s.get("edge: lasthop-io"));
        assertEquals(Map.of("cpu_us", 500.0, "wait_us", 100.0), s.get("edge: all"));
        assertFalse(s.containsKey("edge: AMQP Connection"));
        assertFalse(s.containsKey("edge: GC Thread"));
        assertFalse(s.containsKey("edge: C2 CompilerThre"));
        assertEquals(Map.of("cpu_us", 1_000.0, "wait_us", 500.0), s.get("broker: scheduler"));
        assertTrue(SchedShares.between(before, after, 0).isEmpty());
    }

    @Test
    void theTableHasAColumnPerListOfPhasesAndEachProcessesTotalBeforeItsGroupsThatWaitedMost() {
        Map<String, Map<String, Double>> a1 = new LinkedHashMap<>();
        a1.put("edge: all", Map.of("cpu_us", 300.0, "wait_us", 90.0));
        a1.put("edge: lasthop-io", Map.of("cpu_us", 200.0, "wait_us", 30.0));
        a1.put("edge: GC Thread", Map.of("cpu_us", 100.0, "wait_us", 60.0));
        Map<String, Map<String, Double>> a2 = new LinkedHashMap<>(a1);
        a2.put("edge: all", Map.of("cpu_us", 100.0, "wait_us", 10.0));
        Map<String, Map<String, Double>> b = Map.of("broker: all", Map.of("cpu_us", 1_000.0, "wait_us", 400.0));

        Map<String, List<Phase>> columns = new LinkedHashMap<>();
        columns.put("A", List.of(phase(a1), phase(a2)));
        columns.put("B", List.of(phase(b)));
        String table = SchedShares.table(1_000, columns);

        List<String> rows = table.lines().toList();
        assertEquals("| 1,000 msg/s: process: thread group | A: CPU / wait, µs | B: CPU / wait, µs |", rows.get(0));
        assertEquals("| **broker: all** |  | 1,000.0 / 400.0 |", rows.get(2));
        assertEquals("| **edge: all** | 200.0 / 50.0 |  |", rows.get(3)); // the mean of A's two phases
        assertEquals("| edge: GC Thread | 100.0 / 60.0 |  |", rows.get(4)); // waited most: first
        assertEquals("| edge: lasthop-io | 200.0 / 30.0 |  |", rows.get(5));
        assertEquals(6, rows.size());
        assertEquals("", SchedShares.table(1_000, Map.of("A", List.of(phase(Map.of())))));
    }

    private static Phase phase(Map<String, Map<String, Double>> sched) {
        return new Phase(
                0, "lasthop", 0, 1, 1_000, false, 0, 0, null, null, 0, null, null, 0, true, 0, 0, Map.of(), Map.of(), 0,
                0, null, List.of(), sched);
    }
}
