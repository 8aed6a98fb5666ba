package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessProbesTest {
    @Test
    void aClassHistogramGivesItsTotalAndItsLargestClassesInOrder() {
        String out =
                """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         57001        4560080  io.netty.buffer.PooledUnsafeDirectByteBuf
                   2:         20311        2300000  [B (java.base@17.0.15)
                   3:          9000         216000  java.lang.String (java.base@17.0.15)
                Total        120000       9876543
                """;
        ProcessProbes.HeapHistogram h = ProcessProbes.parseHistogram(out, 2);
        assertEquals(9_876_543, h.totalBytes());
        assertEquals(
                List.of("4560080 io.netty.buffer.PooledUnsafeDirectByteBuf", "2300000 [B (java.base@17.0.15)"),
                h.top());
    }

    @Test
    void everyClassOfAHistogramByItsNameWithoutItsModule() {
        String out =
                """
                12345:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:         20311        2300000  [B (java.base@17.0.15)
                   2:          9000         216000  java.lang.String (java.base@17.0.15)
                   3:            40           1280  io.lasthop.edge.session.Session
                Total        29351       2517280
                """;
        assertEquals(
                Map.of(
                        "[B", new ProcessProbes.ClassUse(20_311, 2_300_000),
                        "java.lang.String", new ProcessProbes.ClassUse(9_000, 216_000),
                        "io.lasthop.edge.session.Session", new ProcessProbes.ClassUse(40, 1_280)),
                ProcessProbes.parseByClass(out));
    }

    @Test
    void noHistogramNoTotal() {
        assertEquals(-1, ProcessProbes.parseHistogram("", 8).totalBytes());
    }

    @Test
    void aSchedstatLineIsCpuWaitAndSlices() {
        assertEquals(
                new ProcessProbes.SchedTimes(2_762_884, 2_779_936, 5),
                ProcessProbes.parseSchedstat("2762884 2779936 5\n"));
        assertNull(ProcessProbes.parseSchedstat("2762884\n"));
        assertNull(ProcessProbes.parseSchedstat("a b c"));
    }

    @Test
    void threadsAreGroupedByTheirNameWithoutItsNumbers() {
        assertEquals("lasthop-io", ProcessProbes.threadGroup("lasthop-io-3-1"));
        assertEquals("GC Thread", ProcessProbes.threadGroup("GC Thread#1"));
        assertEquals("scheduler", ProcessProbes.threadGroup("2_scheduler"));
        assertEquals("AMQP Connection", ProcessProbes.threadGroup("AMQP Connection"));
        assertEquals("G1 Refine", ProcessProbes.threadGroup("G1 Refine#0"));
        assertEquals("C2 CompilerThre", ProcessProbes.threadGroup("C2 CompilerThre"));
        assertEquals("pool-thread", ProcessProbes.threadGroup("pool-3-thread-12"));
        assertEquals("async", ProcessProbes.threadGroup("async_1"));
        assertEquals("1234", ProcessProbes.threadGroup("1234"));
    }

    @Test
    void groupsWhoseNamesTheKernelCutShortAtDifferentPlacesAreOne() {
        var t = new ProcessProbes.SchedTimes(1, 2, 3);
        Map<String, ProcessProbes.SchedTimes> groups = ProcessProbes.mergeTruncated(Map.of(
                ProcessProbes.threadGroup("1_dirty_io_sche"), t,
                ProcessProbes.threadGroup("10_dirty_io_sch"), t,
                ProcessProbes.threadGroup("1_scheduler"), t,
                ProcessProbes.threadGroup("lasthop-io-3-1"), t));
        assertEquals(
                Map.of(
                        "dirty_io_sch", new ProcessProbes.SchedTimes(2, 4, 6),
                        "scheduler", t,
                        "lasthop-io", t),
                groups);
    }

    @Test
    void thisProcessHasThreadsThatRan() {
        Map<String, ProcessProbes.SchedTimes> groups =
                ProcessProbes.schedTimes(ProcessHandle.current().pid());
        assertTrue(groups.values().stream().anyMatch(t -> t.cpuNanos() > 0), groups.toString());
        assertTrue(groups.size() > 1, "a JVM runs more than one kind of thread: " + groups);
        assertTrue(ProcessProbes.schedTimes(-1).isEmpty());
    }
}
