package io.lasthop.edge.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lasthop.protocol.ClientFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    @Test
    void framesRoundTrip() throws IOException {
        ControlMessage.ForSession m = new ControlMessage.Frames(
                "lasthop.s.q", "conn", List.of(new ClientFrame.Ack(3), new ClientFrame.Ping()), "edge-a");
        assertEquals(m, ControlCodec.decode(ControlCodec.encode(m)));
    }

    @Test
    void releaseRoundTripsWithAndWithoutAConnection() throws IOException {
        ControlMessage.ForSession any = new ControlMessage.Release("lasthop.s.q", null, "edge-a");
        ControlMessage.ForSession one = new ControlMessage.Release("lasthop.s.q", "conn", "edge-b");
        assertEquals(any, ControlCodec.decode(ControlCodec.encode(any)));
        assertEquals(one, ControlCodec.decode(ControlCodec.encode(one)));
    }

    /** Nodes of the previous release send frames as a JSON string: a rolling upgrade mixes both. */
    @Test
    void readsTheWireFormatOfEarlierNodes() throws IOException {
        String old = "{\"op\":\"frames\",\"queue\":\"q\",\"from\":\"edge-old\",\"connection\":\"c\","
                + "\"frames\":\"[{\\\"t\\\":\\\"ack\\\",\\\"seq\\\":4}]\"}";
        ControlMessage.Frames f = assertInstanceOf(
                ControlMessage.Frames.class, ControlCodec.decode(old.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(new ClientFrame.Ack(4)), f.frames());
        assertEquals("c", f.connection());
        String release = "{\"op\":\"release\",\"queue\":\"q\",\"from\":\"edge-old\"}";
        assertNull(ControlCodec.decode(release.getBytes(StandardCharsets.UTF_8)).connection());
    }

    @Test
    void refusesWhatItCannotRead() {
        for (String bad : List.of(
                "{}",
                "[]",
                "{\"op\":\"explode\",\"queue\":\"q\",\"from\":\"x\"}",
                "{\"op\":\"frames\",\"queue\":\"q\",\"from\":\"x\",\"frames\":\"[{\\\"t\\\":\\\"nope\\\"}]\"}",
                "not json")) {
            assertThrows(IOException.class, () -> ControlCodec.decode(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    @Test
    void revocationsAsServicesPublishThem() throws IOException {
        assertEquals(
                new ControlMessage.Revoke("alice", null, false),
                ControlCodec.decodeRevoke("{\"user\":\"alice\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(
                new ControlMessage.Revoke("alice", "AAAAAAAAAAAAAAAAAAAAAA", true),
                ControlCodec.decodeRevoke(
                        "{\"user\":\"alice\",\"session\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"deleteQueues\":true}"
                                .getBytes(StandardCharsets.UTF_8)));
        for (String bad : List.of(
                "{}",
                "{\"user\":7}",
                "{\"user\":\"a\",\"session\":\"short\"}",
                "{\"user\":\"a\",\"deleteQueues\":\"yes\"}")) {
            assertThrows(IOException.class, () -> ControlCodec.decodeRevoke(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }
}
