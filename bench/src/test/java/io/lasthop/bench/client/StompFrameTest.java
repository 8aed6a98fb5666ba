package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.bench.Payloads;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StompFrameTest {
    @Test
    void messageFrameAsRabbitMqSendsIt() {
        String body = new String(Payloads.body(1_767_225_600_000_123L, 80), StandardCharsets.US_ASCII);
        byte[] b =
                ("MESSAGE\nsubscription:0\ndestination:/amq/queue/q1\nmessage-id:T_0@@session-x@@1\nredelivered:false\n"
                                + "ack:T_0@@session-x@@1\ncontent-type:application/json\namqp-message-id:p7.42\npersistent:true\n"
                                + "content-length:" + body.length() + "\n\n" + body + "\0")
                        .getBytes(StandardCharsets.UTF_8);
        StompSession.Frame f = StompSession.parse(b, 0, b.length);
        assertEquals("MESSAGE", f.command());
        assertEquals("T_0@@session-x@@1", f.ack());
        assertEquals("p7.42", f.messageId());
        assertEquals(body.length(), f.bodyLength());
        assertEquals(1_767_225_600_000_123L, Payloads.sentUs(b, f.bodyOffset(), f.bodyLength()));
    }

    @Test
    void crlfHeadersErrorsAndHeartbeats() {
        byte[] e = "ERROR\r\nmessage:not_found\r\n\r\nno queue\0".getBytes(StandardCharsets.UTF_8);
        StompSession.Frame f = StompSession.parse(e, 0, e.length);
        assertEquals("ERROR", f.command());
        assertEquals("not_found", f.errorMessage());
        assertNull(StompSession.parse("\n".getBytes(), 0, 1));
        byte[] r = "RECEIPT\nreceipt-id:subscribed\n\n\0".getBytes(StandardCharsets.UTF_8);
        assertEquals("RECEIPT", StompSession.parse(r, 0, r.length).command());
        assertTrue(StompSession.parse(r, 0, r.length).bodyLength() == 0);
    }
}
