package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameParserTest {
    private final FrameParser parser = new FrameParser();

    private ServerFrame parse(String s) throws IOException {
        byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, 2, b.length - 4);
    }

    @Test
    void msgFrameAsTheEdgeWritesIt() throws IOException {
        ServerFrame f =
                parse("{\"t\":\"msg\",\"seq\":7,\"id\":\"p3.1234\",\"redelivered\":true,\"exchange\":\"lasthop.user\","
                        + "\"key\":\"bench-x-e1\",\"contentType\":\"application/json\",\"headers\":{\"a\":{\"b\":[1,2]}},"
                        + "\"enc\":\"json\",\"body\":{\"sentUs\":1767225600123456,\"pad\":\"xxxx\"}}");
        assertEquals(ServerFrame.Type.MSG, f.type);
        assertEquals(7, f.seq);
        assertEquals(3, f.idPhase);
        assertEquals(1234, f.idNumber);
        assertTrue(f.redelivered);
        assertEquals("bench-x-e1", f.key);
        assertEquals(1_767_225_600_123_456L, f.sentUs);
    }

    @Test
    void fieldOrderDoesNotMatterAndUnknownFieldsAreSkipped() throws IOException {
        ServerFrame f = parse("{\"body\":{\"pad\":\"x\",\"nested\":{\"sentUs\":1},\"sentUs\":99},\"future\":[{}],"
                + "\"seq\":2,\"t\":\"msg\",\"id\":\"h:notours\"}");
        assertEquals(ServerFrame.Type.MSG, f.type);
        assertEquals(2, f.seq);
        assertEquals(99, f.sentUs);
        assertEquals(-1, f.idPhase);
        assertFalse(f.redelivered);
    }

    @Test
    void textBodyHasNoSendTime() throws IOException {
        ServerFrame f =
                parse("{\"t\":\"msg\",\"seq\":1,\"id\":\"p0.0\",\"enc\":\"text\",\"body\":\"{\\\"sentUs\\\":5}\"}");
        assertEquals(-1, f.sentUs);
    }

    @Test
    void helloPingCloseAndReuse() throws IOException {
        ServerFrame h =
                parse("{\"t\":\"hello\",\"v\":1,\"session\":\"q3Jx0bW8RkO2l9m1c4T7aA\",\"connection\":\"Yb3kq9TnW0E\","
                        + "\"resumed\":false,\"user\":\"alice\",\"heartbeatMs\":25000,\"prefetch\":64}");
        assertEquals(ServerFrame.Type.HELLO, h.type);
        assertEquals("q3Jx0bW8RkO2l9m1c4T7aA", h.session);
        assertEquals("Yb3kq9TnW0E", h.connection);
        assertEquals(ServerFrame.Type.PING, parse("{\"t\":\"ping\"}").type);
        ServerFrame c = parse("{\"t\":\"close\",\"code\":4100,\"reason\":\"token_expired\",\"message\":\"…\"}");
        assertEquals(4100, c.code);
        assertEquals("token_expired", c.reason);
        assertNull(c.session, "fields of the previous frame are cleared");
        assertEquals(ServerFrame.Type.OTHER, parse("{\"t\":\"auth_ok\",\"expiresAt\":1}").type);
    }

    @Test
    void answersToRequestsCarryTheirRefAndErrorsTheirCode() throws IOException {
        ServerFrame ok = parse("{\"t\":\"ok\",\"ref\":12}");
        assertEquals(ServerFrame.Type.OK, ok.type);
        assertEquals(12, ok.ref);
        ServerFrame e = parse("{\"t\":\"error\",\"ref\":3,\"code\":\"forbidden\","
                + "\"message\":\"the token does not allow subscribing to \\\"x\\\"\"}");
        assertEquals(ServerFrame.Type.ERROR, e.type);
        assertEquals(3, e.ref);
        assertEquals("forbidden", e.errorCode);
        assertEquals(0, e.code, "an error's code is not a close code");
        ServerFrame noRef = parse("{\"t\":\"error\",\"code\":\"unknown_delivery\",\"message\":\"…\"}");
        assertEquals(-1, noRef.ref, "no ref: the error answers no request");
        assertEquals("unknown_delivery", noRef.errorCode);
        ServerFrame c = parse("{\"t\":\"close\",\"code\":4100,\"reason\":\"token_expired\"}");
        assertEquals(4100, c.code);
        assertNull(c.errorCode, "fields of the previous frame are cleared");
    }

    @Test
    void helloNodeAndResumed() throws IOException {
        ServerFrame hello = parse("{\"t\":\"hello\",\"node\":\"bench-r1\",\"connection\":\"c\",\"resumed\":true}");
        assertEquals("bench-r1", hello.node);
        assertTrue(hello.resumed);
        ServerFrame ping = parse("{\"t\":\"ping\"}");
        assertNull(ping.node);
        assertFalse(ping.resumed, "fields of the previous frame are cleared");
    }

    private List<String> parseArray(String s) throws IOException {
        byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int n = parser.parseArray(b, 2, b.length - 4, f -> out.add(f.type + ":" + f.seq + ":" + f.sentUs));
        assertEquals(n, out.size());
        return out;
    }

    @Test
    void longPollAnswers() throws IOException {
        assertEquals(
                List.of("HELLO:0:-1", "MSG:1:5", "MSG:2:-1", "PONG:0:-1"),
                parseArray("[{\"t\":\"hello\",\"session\":\"s\"},{\"t\":\"msg\",\"seq\":1,\"body\":{\"sentUs\":5}},"
                        + "{\"t\":\"msg\",\"seq\":2,\"enc\":\"text\",\"body\":\"x\"},{\"t\":\"pong\"}]"));
        assertEquals(List.of(), parseArray("[]"));
        assertEquals(List.of(), parseArray(" [ ] "));
    }

    @Test
    void malformedAnswersAreRefusedAfterTheFramesBefore() {
        assertThrows(IOException.class, () -> parseArray("{\"error\":\"unavailable\"}"));
        assertThrows(IOException.class, () -> parseArray("[{\"t\":\"ping\"},1]"));
        List<String> seen = new ArrayList<>();
        byte[] b = "[{\"t\":\"ping\"},{\"t\":\"msg\",\"seq\":".getBytes(StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> parser.parseArray(b, 0, b.length, f -> seen.add(f.type.name())));
        assertEquals(List.of("PING"), seen);
    }

    @Test
    void garbageIsRefused() {
        assertThrows(IOException.class, () -> parse("[1,2]"));
        assertThrows(IOException.class, () -> parse("{\"t\":\"msg\",\"seq\":"));
    }
}
