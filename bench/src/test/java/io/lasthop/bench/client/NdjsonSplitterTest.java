package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdjsonSplitterTest {
    private static List<String> feedInChunks(String stream, int chunk) {
        NdjsonSplitter s = new NdjsonSplitter();
        List<String> out = new ArrayList<>();
        byte[] b = stream.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            s.feed(
                    b,
                    i,
                    Math.min(chunk, b.length - i),
                    (d, off, len) -> out.add(new String(d, off, len, StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void theEdgesStreamInAnyChunking() {
        String hello = "{\"t\":\"hello\",\"v\":1,\"session\":\"q3Jx0bW8RkO2l9m1c4T7aA\",\"connection\":\"Yb3kq9TnW0E\","
                + "\"transport\":\"stream\"}";
        String msg = "{\"t\":\"msg\",\"seq\":1,\"id\":\"p0.7\",\"enc\":\"json\",\"body\":{   \"text\": \"hi\" }}";
        String stream = " ".repeat(2048) + "\n" + hello + "\n" + msg + "\n" + "{\"t\":\"ping\"}\n";
        List<String> expected = List.of(hello, msg, "{\"t\":\"ping\"}");
        for (int chunk : new int[] {1, 2, 3, 7, 64, 2049, 5000}) {
            assertEquals(expected, feedInChunks(stream, chunk), "chunk " + chunk);
        }
    }

    @Test
    void severalLinesInOneChunkAndOneLineOverMany() {
        NdjsonSplitter s = new NdjsonSplitter();
        List<String> out = new ArrayList<>();
        NdjsonSplitter.Sink sink = (d, off, len) -> out.add(new String(d, off, len, StandardCharsets.UTF_8));
        byte[] a = "{\"a\":1}\n{\"b\":2}\n{\"c\"".getBytes(StandardCharsets.UTF_8);
        s.feed(a, 0, a.length, sink);
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), out);
        byte[] b = ":3}\n".getBytes(StandardCharsets.UTF_8);
        s.feed(b, 0, b.length, sink);
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"), out);
    }

    @Test
    void blankLinesAreSkippedAndCrStaysForJsonToIgnore() {
        assertEquals(List.of("{\"t\":\"ping\"}\r"), feedInChunks("\n \t\r\n{\"t\":\"ping\"}\r\n\n", 1));
    }

    @Test
    void incompleteLineWaits() {
        assertEquals(List.of(), feedInChunks("{\"t\":\"ping\"}", 4));
    }

    @Test
    void linesParseAsFrames() throws Exception {
        FrameParser parser = new FrameParser();
        NdjsonSplitter s = new NdjsonSplitter();
        List<Long> seqs = new ArrayList<>();
        byte[] b = ("{\"t\":\"msg\",\"seq\":1}\r\n{\"t\":\"msg\",\"seq\":2}\n").getBytes(StandardCharsets.UTF_8);
        s.feed(b, 0, b.length, (d, off, len) -> {
            try {
                seqs.add(parser.parse(d, off, len).seq);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(List.of(1L, 2L), seqs);
    }
}
