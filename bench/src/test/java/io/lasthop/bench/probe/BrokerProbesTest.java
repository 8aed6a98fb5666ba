package io.lasthop.bench.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerProbesTest {
    @Test
    void memoryBreakdown() {
        Map<String, Long> m = BrokerProbes.parseMemoryBreakdown("binary: 65509656 bytes (27.35%)\n"
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
        var chans = m.readTree(
                "[{\"connection\":\"#PID<1.2.3>\",\"number\":1},{\"connection\":\"#PID<1.2.3>\",\"number\":2},"
                        + "{\"connection\":\"#PID<1.2.4>\",\"number\":1},{\"connection\":\"#PID<1.2.5>\",\"number\":1}]");
        BrokerProbes.AmqpUse u = BrokerProbes.parseAmqpUse(conns, chans, "bench-r1");
        assertEquals(2, u.connections());
        assertEquals(3, u.channels());
    }

    @Test
    void queueMemoryOfOurQueuesOnly() {
        BrokerProbes.QueueMemory q = BrokerProbes.parseQueueMemory(
                "name\tmemory\nlasthop.s.bench-b1-re1.x.y\t55960\n"
                        + "lasthop.s.e2e-other.x.y\t1000\nlasthop-bench.b1.raw.0\t40000\n",
                java.util.regex.Pattern.compile("^(lasthop\\.s\\.bench-b1-|lasthop-bench\\.b1\\.)"));
        assertEquals(2, q.queues());
        assertEquals(95_960, q.bytes());
    }
}
