package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
