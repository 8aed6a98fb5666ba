package io.lasthop.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuUseTest {
    @Test
    void sumLeavesOutWhatIsMissingOrNaN() {
        Map<String, Double> m = Map.of("edge", 1.5, "broker", 2.0, "harness", Double.NaN);
        assertEquals(3.5, CpuUse.sum(m, "edge", "broker"));
        assertEquals(1.5, CpuUse.sum(m, "edge", "harness", "worker"));
        assertTrue(Double.isNaN(CpuUse.sum(m, "harness", "worker")));
        assertTrue(Double.isNaN(CpuUse.sum(Map.of(), "edge")));
    }

    @Test
    void duringChargesTheNamedProcessesAndTheLoadGenerator() throws Exception {
        long self = ProcessHandle.current().pid();
        CpuUse.Measured<String> m = CpuUse.during(Map.of("self", self, "gone", -1L), () -> List.of(self), () -> "done");
        assertEquals("done", m.result());
        assertEquals(List.of("self", "load generator"), List.copyOf(m.seconds().keySet()), "a pid ≤ 0 is left out");
        assertTrue(m.seconds().get("self") >= 0);
    }
}
