package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.protocol.AmqpNames;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate on the WebSocket transport, spoken byte by byte: negotiated when the edge
 * offers it and not otherwise, frames compressed both ways, a compression bomb refused with 1009,
 * and the bytes on the wire of a chat message and a price tick with and without it.
 */
class DeflateIT {
    private static final String CHAT =
            "{\"room\":\"lobby\",\"user\":\"alice\",\"text\":\"see you at the standup in five minutes\",\"at\":1765040000000}";
    private static final String PRICE = "{\"symbol\":\"MSFT\",\"price\":421.37,\"at\":1765040000123}";

    private static Edge deflating;
    private static Edge plain;
    private static Broker broker;

    @BeforeAll
    static void start() {
        broker = new Broker();
        deflating = new Edge(c -> c.set(Settings.WEBSOCKET_DEFLATE, true));
        plain = Edge.start();
    }

    @AfterAll
    static void stop() {
        deflating.close();
        plain.close();
        broker.close();
    }

    @Test
    void negotiatedOnlyWhenOffered() throws Exception {
        try (RawWs ws = RawWs.open(plain, Edge.newUser(), true)) {
            assertFalse(ws.deflate, "an edge without websocket.deflate answers no extension");
            assertTrue(ws.nextText().contains("\"hello\""));
        }
        try (RawWs ws = RawWs.open(deflating, Edge.newUser(), true)) {
            assertTrue(ws.deflate);
            assertTrue(ws.nextText().contains("\"hello\""));
            ws.sendCompressed("{\"t\":\"ping\"}");
            assertTrue(ws.nextText().contains("\"pong\""), "a compressed frame is read, and answered compressed");
            // As a browser does: the second message refers back to the first through the kept window.
            int first = ws.sendCompressed("{\"t\":\"ping\"}");
            assertTrue(first < 8, "compressed against the window, " + first + " bytes");
            assertTrue(ws.nextText().contains("\"pong\""), "a message compressed with context is read");
        }
    }

    @Test
    void aCompressionBombIsRefusedWith1009() throws Exception {
        try (RawWs ws = RawWs.open(deflating, Edge.newUser(), true)) {
            ws.nextText();
            // 1 MiB of spaces inside a ping: about a kilobyte on the wire, far past max.frame.bytes inflated.
            ws.sendCompressed("{\"t\":\"ping\",\"x\":\"" + " ".repeat(1 << 20) + "\"}");
            assertEquals(1009, ws.closeStatus(), "closed as for a message too large");
        }
        assertEquals(200, deflating.get("/healthz").statusCode());
    }

    @Test
    void bytesOnTheWireOfAChatMessageAndAPriceTick() throws Exception {
        int[] compressed = wireBytes(deflating);
        int[] raw = wireBytes(plain);
        System.out.printf(
                "permessage-deflate, bytes of a msg frame on the wire (payload):%n"
                        + "  chat message: %d deflated vs %d (x%.2f); again: %d%n"
                        + "  price tick:   %d deflated vs %d (x%.2f); again: %d%n",
                compressed[0],
                raw[0],
                compressed[0] / (double) raw[0],
                compressed[1],
                compressed[2],
                raw[2],
                compressed[2] / (double) raw[2],
                compressed[3]);
        assertTrue(compressed[0] < raw[0] && compressed[2] < raw[2], "deflate makes both smaller");
        assertTrue(compressed[1] < compressed[0], "the second of a kind costs less: the context is kept");
    }

    /** Wire payload sizes of: a chat message, another, a price tick, another. */
    private static int[] wireBytes(Edge edge) throws Exception {
        String user = Edge.newUser();
        try (RawWs ws = RawWs.open(edge, user, true)) {
            ws.nextText();
            int[] sizes = new int[4];
            String[] bodies = {CHAT, CHAT.replace("five", "ten"), PRICE, PRICE.replace("421.37", "421.41")};
            for (int i = 0; i < 4; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "m-" + i, bodies[i]);
                String frame = ws.nextText();
                assertTrue(frame.contains("m-" + i), frame);
                sizes[i] = ws.lastPayloadBytes;
            }
            return sizes;
        }
    }

    /** A WebSocket client written out: handshake, masked frames, RSV1, inflate and deflate. */
    private static final class RawWs implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        final String handshake;
        final boolean deflate;
        final Inflater inflater = new Inflater(true);
        /** Keeps its window between messages, as browsers do (context takeover). */
        final Deflater deflater = new Deflater(6, true);

        int lastPayloadBytes;

        private RawWs(Socket socket, String handshake) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.handshake = handshake;
            this.deflate = handshake.toLowerCase().contains("permessage-deflate");
        }

        static RawWs open(Edge edge, String user, boolean offerDeflate) throws IOException {
            Socket s = new Socket("127.0.0.1", edge.server().port());
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("GET /lasthop/ws?token=" + Edge.token(user) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "Sec-WebSocket-Version: 13\r\n"
                                    + (offerDeflate
                                            ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                                            : "")
                                    + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                head.write(s.getInputStream().read());
            }
            String h = head.toString(StandardCharsets.US_ASCII);
            assertTrue(h.startsWith("HTTP/1.1 101"), h);
            return new RawWs(s, h);
        }

        /** The next text message, inflated when it came compressed. */
        String nextText() throws IOException {
            while (true) {
                int b0 = in.readUnsignedByte();
                int len = payloadLength(in.readUnsignedByte());
                byte[] payload = in.readNBytes(len);
                if ((b0 & 0x0f) != 1) {
                    continue; // pings and others
                }
                lastPayloadBytes = len;
                if ((b0 & 0x40) == 0) {
                    return new String(payload, StandardCharsets.UTF_8);
                }
                byte[] withTail = new byte[payload.length + 4];
                System.arraycopy(payload, 0, withTail, 0, payload.length);
                withTail[payload.length + 2] = (byte) 0xff;
                withTail[payload.length + 3] = (byte) 0xff;
                inflater.setInput(withTail);
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                byte[] chunk = new byte[4096];
                try {
                    for (int n; (n = inflater.inflate(chunk)) > 0; ) {
                        text.write(chunk, 0, n);
                    }
                } catch (java.util.zip.DataFormatException e) {
                    throw new IOException(e);
                }
                return text.toString(StandardCharsets.UTF_8);
            }
        }

        /** Reads until a close frame; its status code. */
        int closeStatus() throws IOException {
            while (true) {
                int b0 = in.readUnsignedByte();
                int len = payloadLength(in.readUnsignedByte());
                byte[] payload = in.readNBytes(len);
                if ((b0 & 0x0f) == 8) {
                    assertNotNull(payload);
                    return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
                }
            }
        }

        private int payloadLength(int b1) throws IOException {
            int len = b1 & 0x7f;
            return len == 126 ? in.readUnsignedShort() : len == 127 ? (int) in.readLong() : len;
        }

        /** A text message, deflated with the context kept, FIN and RSV1 set, masked with zeros; its payload size. */
        int sendCompressed(String text) throws IOException {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            for (int n; (n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH)) > 0; ) {
                body.write(chunk, 0, n);
            }
            byte[] b = body.toByteArray();
            int len = b.length - 4; // without the 00 00 ff ff that SYNC_FLUSH ends with
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0xC1);
            if (len < 126) {
                frame.write(0x80 | len);
            } else {
                frame.write(0x80 | 126);
                frame.write(len >> 8);
                frame.write(len & 0xff);
            }
            frame.write(new byte[4]);
            frame.write(b, 0, len);
            out.write(frame.toByteArray());
            out.flush();
            return len;
        }

        @Override
        public void close() throws IOException {
            inflater.end();
            deflater.end();
            socket.close();
        }
    }
}
