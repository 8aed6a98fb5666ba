package io.lasthop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    @Test
    void bodiesHaveTheExactSizeAndAreJson() throws Exception {
        long now = 1_767_225_600_123_456L;
        for (int size : new int[] {Payloads.minSize(), 64, 256, 1024, 65_000}) {
            byte[] b = Payloads.body(now, size);
            assertEquals(size, b.length);
            JsonNode n = new ObjectMapper().readTree(b);
            assertEquals(now, n.get("sentUs").asLong());
            assertEquals(now, Payloads.sentUs(b, 0, b.length));
        }
        assertTrue(Payloads.body(now, 1).length == Payloads.minSize(), "too small gets the minimum");
    }

    @Test
    void sentUsIsFoundInsideALargerBuffer() {
        byte[] frame = "{\"t\":\"msg\",\"body\":{\"sentUs\":1234567,\"pad\":\"x\"}}".getBytes();
        assertEquals(1_234_567, Payloads.sentUs(frame, 0, frame.length));
        assertEquals(-1, Payloads.sentUs(frame, 0, 20));
        byte[] none = "{\"pad\":\"sentUs\"}".getBytes();
        assertEquals(-1, Payloads.sentUs(none, 0, none.length));
    }

    @Test
    void messageIdsRoundTrip() {
        assertEquals("p12.34567", MessageIds.of(12, 34_567));
        assertEquals(12, MessageIds.phase("p12.34567"));
        assertEquals(34_567, MessageIds.number("p12.34567"));
        for (String bad : new String[] {"", "p", "p.1", "p1.", "q1.2", "p1x.2", "h:abcdef", "p1.2x", null}) {
            assertTrue(MessageIds.phase(bad) < 0 || MessageIds.number(bad) < 0, bad);
        }
    }
}
