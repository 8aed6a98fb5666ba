package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TransportTest {
    @Test
    void namesOnTheCommandLine() {
        assertEquals(Transport.WEBSOCKET, Transport.parse("websocket"));
        assertEquals(Transport.WEBSOCKET, Transport.parse("WebSocket"));
        assertEquals(Transport.SSE, Transport.parse("sse"));
        assertEquals(Transport.STREAM, Transport.parse("stream"));
        assertEquals(Transport.POLL, Transport.parse("poll"));
        assertThrows(IllegalArgumentException.class, () -> Transport.parse("stomp"));
        assertThrows(IllegalArgumentException.class, () -> Transport.parse("xhr"));
    }

    @Test
    void oneNamePerTransport() {
        for (String old : new String[] {"ws", "ndjson", "http-stream", "long-polling"}) {
            assertThrows(IllegalArgumentException.class, () -> Transport.parse(old), old);
        }
        for (Transport t : new Transport[] {Transport.WEBSOCKET, Transport.SSE, Transport.STREAM, Transport.POLL}) {
            assertEquals(t, Transport.parse(t.wireName));
        }
    }

    @Test
    void wireNamesAreTheHellosTransport() {
        assertEquals("websocket", Transport.WEBSOCKET.wireName);
        assertEquals("stream", Transport.STREAM.wireName);
        assertEquals("poll", Transport.POLL.wireName);
    }

    @Test
    void socketsPerSession() {
        assertEquals(1, Transport.WEBSOCKET.socketsPerSession());
        assertEquals(2, Transport.SSE.socketsPerSession(), "stream + ack connection");
        assertEquals(2, Transport.STREAM.socketsPerSession(), "stream + ack connection");
        assertEquals(1, Transport.POLL.socketsPerSession(), "acks ride in the next poll");
    }

    /** RemoteClientGroup sends a transport to worker JVMs by name; Worker reads it back with valueOf. */
    @Test
    void everyEdgeTransportCrossesToWorkersByName() {
        for (String s : new String[] {"websocket", "sse", "stream", "poll"}) {
            Transport t = Transport.parse(s);
            assertEquals(t, Transport.valueOf(t.name()));
        }
    }
}
