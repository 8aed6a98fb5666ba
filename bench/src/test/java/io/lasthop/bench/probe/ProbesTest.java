package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbesTest {
    @Test
    void sockstat() {
        Probes.SockStat s = Probes.parseSockstat("sockets: used 32\nTCP: inuse 11 orphan 0 tw 8 alloc 14 mem 3\n"
                + "UDP: inuse 0 mem 0\n", 4096);
        assertEquals(11, s.tcpInUse());
        assertEquals(8, s.tcpTimeWait());
        assertEquals(3 * 4096, s.tcpMemBytes());
    }

    @Test
    void gaugeSumsLabelSetsAndIgnoresLookalikes() {
        String text = "# HELP lasthop_sessions Sessions connected to this node\n# TYPE lasthop_sessions gauge\n"
                + "lasthop_sessions 12.0\nlasthop_sessions_opened_total{resumed=\"true\"} 40.0\n"
                + "lasthop_connections{transport=\"websocket\"} 3.0\nlasthop_connections{transport=\"sse\"} 2.0\n";
        assertEquals(12.0, Probes.gauge(text, "lasthop_sessions"));
        assertEquals(5.0, Probes.gauge(text, "lasthop_connections"));
        assertTrue(Double.isNaN(Probes.gauge(text, "lasthop_missing")));
    }

    @Test
    void memoryBreakdown() {
        Map<String, Long> m = Probes.parseMemoryBreakdown("binary: 65509656 bytes (27.35%)\n"
                + "reserved_unallocated: 37277696 bytes (15.56%)\nqueue_procs: 18207552 bytes (7.6%)\n"
                + "connection_other: 5521568 bytes (2.31%)\n");
        assertEquals(18_207_552L, m.get("queue_procs"));
        assertEquals(65_509_656L + 18_207_552L + 5_521_568L, m.get("total"));
    }

    @Test
    void amqpUseByClientProvidedName() throws Exception {
        ObjectMapper m = new ObjectMapper();
        var conns = m.readTree("[{\"pid\":\"#PID<1.2.3>\",\"client_properties\":[[\"connection_name\",\"longstr\","
                + "\"lasthop-edge bench-r1 #0\"]]},{\"pid\":\"#PID<1.2.4>\",\"client_properties\":[[\"connection_name\","
                + "\"longstr\",\"other\"]]},{\"pid\":\"#PID<1.2.5>\",\"client_properties\":[[\"connection_name\",\"longstr\","
                + "\"lasthop-edge bench-r1 publisher\"]]}]");
        var chans = m.readTree("[{\"connection\":\"#PID<1.2.3>\",\"number\":1},{\"connection\":\"#PID<1.2.3>\",\"number\":2},"
                + "{\"connection\":\"#PID<1.2.4>\",\"number\":1},{\"connection\":\"#PID<1.2.5>\",\"number\":1}]");
        Probes.AmqpUse u = Probes.parseAmqpUse(conns, chans, "bench-r1");
        assertEquals(2, u.connections());
        assertEquals(3, u.channels());
    }

    @Test
    void queueMemoryOfOurQueuesOnly() {
        Probes.QueueMemory q = Probes.parseQueueMemory("name\tmemory\nlasthop.s.bench-b1-re1.x.y\t55960\n"
                + "lasthop.s.e2e-other.x.y\t1000\nlasthop-bench.b1.raw.0\t40000\n", java.util.regex.Pattern.compile(
                "^(lasthop\\.s\\.bench-b1-|lasthop-bench\\.b1\\.)"));
        assertEquals(2, q.queues());
        assertEquals(95_960, q.bytes());
    }

    @Test
    void tcp6() {
        assertEquals(400, Probes.parseTcp6InUse("TCP6: inuse 400\nUDP6: inuse 0\n"));
    }
}
