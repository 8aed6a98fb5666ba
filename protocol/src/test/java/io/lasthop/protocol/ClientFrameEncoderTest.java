package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the encoder writes, the decoder reads back as the same frames. */
class ClientFrameEncoderTest {

    @Test
    void everyFrameTypeSurvivesARoundTrip() throws FrameException {
        List<ClientFrame> frames = List.of(
                new ClientFrame.Ack(7),
                new ClientFrame.Ping(),
                new ClientFrame.Pong(),
                new ClientFrame.Auth("a.b.c"),
                new ClientFrame.Subscribe(1, "prices.*"),
                new ClientFrame.Unsubscribe(2, "chat.#"));
        assertEquals(frames, ClientFrameDecoder.decodeBatch(ClientFrameEncoder.encodeBatch(frames)));
    }

    @Test
    void bodiesKeepTheirBytesAndContentTypeInEveryEncoding() throws FrameException {
        byte[] json = "{\"text\":\"hi\",\"n\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        byte[] text = "line one\nline \"two\" é".getBytes(StandardCharsets.UTF_8);
        byte[] binary = {0, -1, 2, 127, -128};
        List<ClientFrame> decoded = ClientFrameDecoder.decodeBatch(ClientFrameEncoder.encodeBatch(List.of(
                new ClientFrame.Send(3, "chat.lobby", new ClientFrame.Body(json, "application/json"), "m-1"),
                new ClientFrame.Send(4, "chat.lobby", new ClientFrame.Body(text, "text/plain; charset=utf-8"), null),
                new ClientFrame.Reply(5, "rt", new ClientFrame.Body(binary, "application/octet-stream")))));

        ClientFrame.Send s = assertInstanceOf(ClientFrame.Send.class, decoded.get(0));
        assertEquals(3, s.ref());
        assertEquals("chat.lobby", s.key());
        assertEquals("m-1", s.id());
        assertEquals("application/json", s.body().contentType());
        assertEquals("{\"text\":\"hi\",\"n\":[1,2]}", new String(s.body().bytes(), StandardCharsets.UTF_8));

        ClientFrame.Send t = assertInstanceOf(ClientFrame.Send.class, decoded.get(1));
        assertEquals(null, t.id());
        assertEquals("text/plain; charset=utf-8", t.body().contentType());
        assertArrayEquals(text, t.body().bytes());

        ClientFrame.Reply r = assertInstanceOf(ClientFrame.Reply.class, decoded.get(2));
        assertEquals(5, r.ref());
        assertEquals("rt", r.token());
        assertEquals("application/octet-stream", r.body().contentType());
        assertArrayEquals(binary, r.body().bytes());
    }
}
