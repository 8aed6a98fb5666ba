package io.lasthop.bench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseSplitterTest {
    private static List<String> feedInChunks(String stream, int chunk) {
        SseSplitter s = new SseSplitter();
        List<String> out = new ArrayList<>();
        byte[] b = stream.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            s.feed(
                    b,
                    i,
                    Math.min(chunk, b.length - i),
                    (d, len) -> out.add(new String(d, 0, len, StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void theEdgesStreamInAnyChunking() {
        String stream = ":" + " ".repeat(2048) + "\n" + "retry: 1000\n\n"
                + "id: q3Jx0bW8RkO2l9m1c4T7aA\ndata: {\"t\":\"hello\"}\n\n"
                + "data: {\"t\":\"msg\",\"body\":{\n" + "data:   \"text\": \"hi\"\n" + "data: }}\n\n"
                + "data: {\"t\":\"ping\"}\n\n";
        List<String> expected =
                List.of("{\"t\":\"hello\"}", "{\"t\":\"msg\",\"body\":{\n  \"text\": \"hi\"\n}}", "{\"t\":\"ping\"}");
        for (int chunk : new int[] {1, 2, 3, 7, 64, 5000}) {
            assertEquals(expected, feedInChunks(stream, chunk), "chunk " + chunk);
        }
    }

    @Test
    void crlfAndCrLineEndings() {
        assertEquals(List.of("a", "b"), feedInChunks("data: a\r\n\r\ndata:b\r\r", 1));
    }

    @Test
    void incompleteEventWaits() {
        assertEquals(List.of(), feedInChunks("data: {\"t\":\"ping\"}\n", 4));
    }

    @Test
    void otherFieldsAreIgnored() {
        assertEquals(List.of("x"), feedInChunks("event: foo\ndatabase: no\ndata: x\n\n", 3));
    }
}
