package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser-free reading of acks and heartbeats must decide exactly as the parser does. */
class CommonFramesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"ping\"}",
                "{\"t\":\"pong\"}",
                "{\"t\":\"ack\",\"seq\":1}",
                "{\"t\":\"ack\",\"seq\":120}",
                "{\"t\":\"ack\",\"seq\":999999999999999999}",
                "[{\"t\":\"ping\"}]",
                "[{\"t\":\"ack\",\"seq\":7},{\"t\":\"ping\"},{\"t\":\"pong\"},{\"t\":\"ack\",\"seq\":8}]",
            })
    void readsWhatTheClientsWriteWithoutTheParser(String json) throws FrameException {
        byte[] b = bytes(json);
        if (json.startsWith("[")) {
            assertNotNull(CommonFrames.array(b));
        } else {
            assertNotNull(CommonFrames.one(b));
        }
        sameAsParser(b);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"t\":\"ack\",\"seq\":0}",
                "{\"t\":\"ack\",\"seq\":01}",
                "{\"t\":\"ack\",\"seq\":-1}",
                "{\"t\":\"ack\",\"seq\":1.0}",
                "{\"t\":\"ack\",\"seq\":1e3}",
                "{\"t\":\"ack\",\"seq\":}",
                "{\"t\":\"ack\",\"seq\":9223372036854775807}",
                "{\"t\":\"ack\",\"seq\":9223372036854775808}",
                "{\"t\":\"ack\",\"seq\":1} ",
                "{\"t\":\"ack\",\"seq\":1}}",
                "{\"t\":\"ack\",\"seq\":1,\"seq\":2}",
                "{\"t\":\"ack\",\"seq\":\"1\"}",
                "{\"seq\":1,\"t\":\"ack\"}",
                "{\"t\":\"ping\"}{\"t\":\"ping\"}",
                "{\"t\":\"ping\",\"t\":\"pong\"}",
                "{\"t\":\"pin\"}",
                "{\"t\":\"ping\"",
                " {\"t\":\"ping\"}",
                "[]",
                "[{\"t\":\"ping\"},]",
                "[{\"t\":\"ping\"}{\"t\":\"ping\"}]",
                "[{\"t\":\"ping\"},{\"t\":\"auth\",\"token\":\"x\"}]",
                "[{\"t\":\"ping\"}",
                "[[{\"t\":\"ping\"}]]",
            })
    void leavesEveryOtherSpellingToTheParser(String json) throws FrameException {
        byte[] b = bytes(json);
        assertNull(CommonFrames.one(b));
        assertNull(CommonFrames.array(b));
        sameAsParser(b);
    }

    @Test
    void decidesAsTheParserOnMutatedFrames() throws FrameException {
        String[] seeds = {
            "{\"t\":\"ack\",\"seq\":42}", "{\"t\":\"ping\"}", "[{\"t\":\"ack\",\"seq\":5},{\"t\":\"pong\"}]"
        };
        byte[] alphabet = bytes("{}[]\",:0123456789-tackseqpingo .e");
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = bytes(seeds[i % seeds.length]);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                b = mutate(b, random, alphabet);
            }
            sameAsParser(b);
        }
    }

    @Test
    void allocatesAFractionOfWhatTheParserDoes() throws FrameException {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] ack = bytes("{\"t\":\"ack\",\"seq\":123456}");
        byte[] pings = bytes("[{\"t\":\"ping\"},{\"t\":\"ping\"},{\"t\":\"ping\"},{\"t\":\"ping\"}]");
        int n = 20_000;
        // Both paths once first, so neither counts its classes' first use.
        ClientFrameDecoder.parseOne(ack);
        ClientFrameDecoder.decode(ack);
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            ClientFrameDecoder.parseOne(ack);
            ClientFrameDecoder.parseBatch(pings);
        }
        long parsed = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            ClientFrameDecoder.decode(ack);
            ClientFrameDecoder.decodeBatch(pings);
        }
        long common = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(
                common * 5 < parsed,
                "the shortcut allocated " + common / n + " bytes per ack and batch, the parser " + parsed / n);
    }

    private static void sameAsParser(byte[] b) throws FrameException {
        assertEquals(
                outcome(() -> ClientFrameDecoder.parseOne(b)), outcome(() -> ClientFrameDecoder.decode(b)), show(b));
        assertEquals(
                outcome(() -> ClientFrameDecoder.parseBatch(b)),
                outcome(() -> ClientFrameDecoder.decodeBatch(b)),
                show(b));
    }

    private interface Decode {
        Object run() throws FrameException;
    }

    /** What decoding came to: the frames, or the error it was refused with. */
    private static Object outcome(Decode d) {
        try {
            return d.run();
        } catch (FrameException e) {
            return List.of(e.code(), e.ref(), e.getMessage());
        }
    }

    private static byte[] mutate(byte[] b, Random random, byte[] alphabet) {
        List<Byte> out = new ArrayList<>();
        for (byte x : b) {
            out.add(x);
        }
        int at = random.nextInt(out.size() + 1);
        switch (random.nextInt(3)) {
            case 0 -> out.add(at, alphabet[random.nextInt(alphabet.length)]);
            case 1 -> {
                if (at < out.size()) {
                    out.remove(at);
                }
            }
            default -> {
                if (at < out.size()) {
                    out.set(at, alphabet[random.nextInt(alphabet.length)]);
                }
            }
        }
        byte[] r = new byte[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    private static String show(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
