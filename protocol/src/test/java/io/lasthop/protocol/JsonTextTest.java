package io.lasthop.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The allocation-free check of a JSON body must say what Jackson's parser says, or defer to it. */
class JsonTextTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0",
                "-0",
                "12",
                "-12.5e+3",
                "1E9",
                "0.0",
                "true",
                "false",
                "null",
                "\"\"",
                "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\"",
                "\"\\u00e9\\uD83D\\uDE00\"",
                "\"é 😀\"",
                "{}",
                "[]",
                " \t\r\n{} \n",
                "{\"a\":1,\"b\":[true,false,null,{}]}",
                "[[[[]]],[{}],{\"\":\"\"}]",
                "{\"a\" : [ 1 , 2 ] }",
                "{\"a\":1,\"a\":2}",
            })
    void oneValue(String json) {
        assertEquals(JsonText.YES, JsonText.singleValue(bytes(json)), json);
        sameAsJackson(bytes(json));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "01",
                "-",
                "-01",
                "1.",
                ".5",
                "1e",
                "1e+",
                "+1",
                "0x10",
                "NaN",
                "Infinity",
                "-Infinity",
                "tru",
                "truex",
                "nulll",
                "True",
                "\"",
                "\"abc",
                "\"\\x\"",
                "\"\\u12\"",
                "\"\\u12G4\"",
                "\"a\u0001b\"",
                "'a'",
                "{",
                "}",
                "[",
                "]",
                "[1,]",
                "[,1]",
                "[1 2]",
                "{\"a\"}",
                "{\"a\":}",
                "{\"a\":1,}",
                "{a:1}",
                "{\"a\" 1}",
                "{1:1}",
                "1 2",
                "{}{}",
                "[]]",
                "1]",
                "[1}",
                "{\"a\":1]",
                "// c\n1",
                "/* c */1",
                "# c\n1",
                "1\u000b",
                "\u00a01",
                "[1,\n]",
                "\"a\"\"b\"",
            })
    void notOneValue(String json) {
        assertEquals(JsonText.NO, JsonText.singleValue(bytes(json)), json);
        sameAsJackson(bytes(json));
    }

    @Test
    void defersToJacksonPastItsLimits() {
        assertEquals(JsonText.UNSURE, JsonText.singleValue(bytes("[".repeat(65) + "]".repeat(65))));
        assertEquals(JsonText.YES, JsonText.singleValue(bytes("[".repeat(64) + "]".repeat(64))));
        assertEquals(JsonText.UNSURE, JsonText.singleValue(bytes("1".repeat(101))));
        assertEquals(JsonText.UNSURE, JsonText.singleValue(bytes("{\"" + "k".repeat(1001) + "\":1}")));
        assertTrue(BodyEncoding.isSingleJsonValue(bytes("[".repeat(65) + "]".repeat(65))));
        assertTrue(!BodyEncoding.isSingleJsonValue(bytes("[".repeat(1001) + "]".repeat(1001))));
    }

    @Test
    void decidesAsJacksonOnMutatedDocuments() {
        String[] seeds = {
            "{\"price\":12.5,\"tags\":[\"a\",\"b\"],\"ok\":true,\"none\":null,\"n\":-3e-2}",
            "[1,[2,[3,{\"x\":\"\\u00e9\\n\"}]],\"s\",false]",
            "\"just a string with \\\"escapes\\\"\"",
            "-0.25E+10",
        };
        byte[] alphabet = bytes("{}[]\":,.-+eE0123456789 \t\n\\/ubfnrtaxlsN\u0001");
        Random random = new Random(11);
        int decided = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b = bytes(seeds[i % seeds.length]);
            for (int e = 1 + random.nextInt(3); e > 0; e--) {
                b = mutate(b, random, alphabet);
            }
            if (sameAsJackson(b)) {
                decided++;
            }
        }
        assertTrue(decided > 99_000, decided + " decided without Jackson");
    }

    @Test
    void decidesAsJacksonOnRandomDocuments() {
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder json = new StringBuilder();
            randomValue(json, random, 0);
            byte[] b = bytes(json.toString());
            assertEquals(JsonText.YES, JsonText.singleValue(b), json.toString());
            sameAsJackson(b);
        }
    }

    @Test
    void allocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] body = bytes("{\"price\":12.5,\"tags\":[\"a\",\"b\"],\"ok\":true,\"none\":null,\"text\":\""
                + "x".repeat(900) + "\"}");
        JsonText.singleValue(body);
        BodyEncoding.parsesAsSingleValue(body);
        int n = 10_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            JsonText.singleValue(body);
        }
        long checked = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            BodyEncoding.parsesAsSingleValue(body);
        }
        long parsed = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(checked * 20 < parsed, "checked: " + checked / n + " bytes a body, parsed: " + parsed / n);
    }

    /** Whether the check decided {@code b} by itself; fails if it decided other than Jackson. */
    private static boolean sameAsJackson(byte[] b) {
        if (!BodyEncoding.isUtf8(b)) {
            return true;
        }
        int verdict = JsonText.singleValue(b);
        if (verdict == JsonText.UNSURE) {
            return false;
        }
        assertEquals(
                BodyEncoding.parsesAsSingleValue(b),
                verdict == JsonText.YES,
                () -> "on " + new String(b, StandardCharsets.UTF_8));
        return true;
    }

    private static void randomValue(StringBuilder out, Random random, int depth) {
        int kind = random.nextInt(depth > 6 ? 5 : 7);
        switch (kind) {
            case 0 -> out.append(random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null");
            case 1 ->
                out.append(random.nextInt(3) == 0 ? "-" : "")
                        .append(random.nextInt(2000))
                        .append(random.nextBoolean() ? "." + random.nextInt(1000) : "")
                        .append(
                                random.nextInt(4) == 0
                                        ? "e" + (random.nextBoolean() ? "-" : "+") + random.nextInt(300)
                                        : "");
            case 2, 3 -> randomString(out, random);
            case 4 -> out.append(random.nextBoolean() ? "0" : "-0.0");
            case 5 -> {
                out.append('[').append(space(random));
                for (int n = random.nextInt(4), k = 0; k < n; k++) {
                    out.append(k > 0 ? "," + space(random) : "");
                    randomValue(out, random, depth + 1);
                    out.append(space(random));
                }
                out.append(']');
            }
            default -> {
                out.append('{').append(space(random));
                for (int n = random.nextInt(4), k = 0; k < n; k++) {
                    out.append(k > 0 ? "," + space(random) : "");
                    randomString(out, random);
                    out.append(space(random)).append(':').append(space(random));
                    randomValue(out, random, depth + 1);
                    out.append(space(random));
                }
                out.append('}');
            }
        }
    }

    private static void randomString(StringBuilder out, Random random) {
        String[] pieces = {"a", "Z", " ", "é", "😀", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\uD83D\\uDE00", "\u007f"
        };
        out.append('"');
        for (int n = random.nextInt(6), k = 0; k < n; k++) {
            out.append(pieces[random.nextInt(pieces.length)]);
        }
        out.append('"');
    }

    private static String space(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\n\t";
            case 2 -> "\r\n ";
            default -> "";
        };
    }

    private static byte[] mutate(byte[] b, Random random, byte[] alphabet) {
        int at = random.nextInt(b.length + 1);
        byte x = alphabet[random.nextInt(alphabet.length)];
        return switch (random.nextInt(3)) {
            case 0 -> {
                byte[] r = new byte[b.length + 1];
                System.arraycopy(b, 0, r, 0, at);
                r[at] = x;
                System.arraycopy(b, at, r, at + 1, b.length - at);
                yield r;
            }
            case 1 -> {
                if (at == b.length) {
                    yield b;
                }
                byte[] r = new byte[b.length - 1];
                System.arraycopy(b, 0, r, 0, at);
                System.arraycopy(b, at + 1, r, at, b.length - at - 1);
                yield r;
            }
            default -> {
                byte[] r = b.clone();
                if (at < r.length) {
                    r[at] = x;
                }
                yield r;
            }
        };
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
