package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lasthop.bench.Fanout;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What crosses the pipe to a worker JVM comes back the same. */
class RemoteClientGroupTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void subscribersSurviveTheTripToAWorker() throws Exception {
        List<Fanout.Subscriber> subs = new Fanout(5, 2).subscribers(List.of("a", "b", "c", "d", "e"), "r", "a");
        String line = JSON.writeValueAsString(RemoteClientGroup.encode(subs));
        assertEquals(subs, RemoteClientGroup.decode(JSON.readTree(line)));
    }

    @Test
    void reportsSurviveTheTripBack() throws Exception {
        Histogram h = new Histogram(1, 600_000_000L, 3);
        h.recordValue(1_500);
        h.recordValue(90_000);
        ConnectReport r = new ConnectReport(10, 7, 1, Map.of("forbidden", 2L), 123_456_789L, h);
        ObjectNode n = JSON.createObjectNode();
        RemoteClientGroup.put(n, r);
        ConnectReport back = RemoteClientGroup.report(JSON.readTree(JSON.writeValueAsString(n)));
        assertEquals(
                List.of(10L, 7L, 1L, 123_456_789L),
                List.of(back.requested(), back.opened(), back.notStarted(), back.elapsedNanos()));
        assertEquals(Map.of("forbidden", 2L), back.failures());
        assertEquals(h, back.latencyUs());
    }
}
