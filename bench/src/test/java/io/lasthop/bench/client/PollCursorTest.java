package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollCursorTest {
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.sig";

    @Test
    void firstPollNamesNothingAndCarriesNoFrames() {
        PollCursor c = new PollCursor();
        assertEquals("/lasthop/poll?token=" + TOKEN, c.uri(TOKEN, null, null, null));
        assertEquals("[]", c.takeBody());
    }

    @Test
    void laterPollsNameTheHelloAndTheLastAnswerRead() {
        PollCursor c = new PollCursor();
        c.answered("1");
        assertEquals(
                "/lasthop/poll?token=" + TOKEN + "&session=q3Jx0bW8RkO2l9m1c4T7aA&connection=Yb3kq9TnW0E"
                        + "&node=edge-1&answered=1",
                c.uri(TOKEN, "q3Jx0bW8RkO2l9m1c4T7aA", "Yb3kq9TnW0E", "edge-1"));
        c.answered("17");
        assertEquals(
                "/lasthop/poll?token=" + TOKEN + "&session=s&connection=c&answered=17", c.uri(TOKEN, "s", "c", null));
    }

    @Test
    void anAnswerWithoutItsNumberMakesTheNextPollNameNone() {
        PollCursor c = new PollCursor();
        c.answered("3");
        c.answered(null);
        assertEquals("/lasthop/poll?token=" + TOKEN + "&session=s&connection=c", c.uri(TOKEN, "s", "c", null));
        c.answered("x");
        assertEquals("/lasthop/poll?token=" + TOKEN + "&session=s&connection=c", c.uri(TOKEN, "s", "c", null));
    }

    @Test
    void noConnectionWithoutItsSession() {
        assertEquals("/lasthop/poll?token=" + TOKEN, new PollCursor().uri(TOKEN, null, "c", null));
    }

    @Test
    void theHighestAckRidesOnceInTheNextBody() {
        PollCursor c = new PollCursor();
        c.ack(5);
        c.ack(3);
        assertEquals("[{\"t\":\"ack\",\"seq\":5}]", c.takeBody());
        assertEquals("[]", c.takeBody());
    }

    /** One answer through the parser and the session's acking, as PollSession runs it. */
    @Test
    void anAnswerIsParsedAndItsAckBuildsTheNextPoll() throws Exception {
        byte[] answer =
                ("[{\"t\":\"hello\",\"v\":1,\"session\":\"q3Jx0bW8RkO2l9m1c4T7aA\",\"connection\":\"Yb3kq9TnW0E\","
                                + "\"node\":\"bench-r1\",\"transport\":\"poll\"},"
                                + "{\"t\":\"msg\",\"seq\":1,\"id\":\"p2.10\",\"body\":{\"sentUs\":1}},"
                                + "{\"t\":\"msg\",\"seq\":2,\"id\":\"p2.11\",\"body\":{\"sentUs\":2}}]")
                        .getBytes(StandardCharsets.UTF_8);
        PollCursor c = new PollCursor();
        AckBatcher acks = new AckBatcher();
        String[] hello = new String[3];
        List<Long> ids = new ArrayList<>();
        int n = new FrameParser().parseArray(answer, 0, answer.length, f -> {
            if (f.type == ServerFrame.Type.HELLO) {
                hello[0] = f.session;
                hello[1] = f.connection;
                hello[2] = f.node;
            } else if (f.type == ServerFrame.Type.MSG) {
                ids.add(f.idNumber);
                acks.onMessage(f.seq);
            }
        });
        assertEquals(3, n);
        assertEquals(List.of(10L, 11L), ids);
        c.answered("1");
        c.ack(acks.take());
        assertEquals(
                "/lasthop/poll?token=" + TOKEN + "&session=q3Jx0bW8RkO2l9m1c4T7aA&connection=Yb3kq9TnW0E"
                        + "&node=bench-r1&answered=1",
                c.uri(TOKEN, hello[0], hello[1], hello[2]));
        assertEquals("[{\"t\":\"ack\",\"seq\":2}]", c.takeBody());
    }
}
