package io.lasthop.edge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EdgeConfigTest {
    @TempDir
    Path dir;

    // ---- defaults ----

    @Test
    void defaults() {
        EdgeConfig c = EdgeConfig.DEFAULT;
        assertEquals("0.0.0.0", c.get(Settings.HTTP_HOST));
        assertEquals(8080, c.get(Settings.HTTP_PORT));
        assertEquals(65536, c.get(Settings.MAX_FRAME_BYTES));
        assertEquals(0, c.get(Settings.AMQP_CONNECTIONS), "sized to the sessions");
        // Unset, so that public keys bring their own algorithms; with only a secret it means HS256.
        assertNull(c.get(Settings.JWT_ALGORITHMS));
        assertEquals(Duration.ofSeconds(5), c.get(Settings.JWT_LEEWAY));
        assertEquals(false, c.get(Settings.DEV));
        assertEquals(Duration.ofMinutes(2), c.get(Settings.RESUME_WINDOW));
        assertEquals("reject-publish-dlx", c.get(Settings.QUEUE_OVERFLOW));
        assertEquals("classic", c.get(Settings.QUEUE_TYPE));
        assertEquals(64, c.get(Settings.PREFETCH));
        assertEquals(Duration.ofSeconds(60), c.get(Settings.ACK_TIMEOUT));
        assertEquals(Duration.ofSeconds(25), c.get(Settings.HEARTBEAT));
        assertNull(c.get(Settings.NODE_ID));
        assertNull(c.get(Settings.JWT_HS256_SECRET));
        assertNull(c.get(Settings.JWT_ISSUER));
        assertNull(c.get(Settings.JWT_AUDIENCE));
    }

    @Test
    void loadingNothingGivesTheDefaults() throws IOException {
        EdgeConfig c = EdgeConfig.load(null, Map.of());
        for (Setting<?> s : Settings.ALL) {
            assertEquals(EdgeConfig.DEFAULT.get(s), c.get(s), s.key());
        }
    }

    @Test
    void everySettingIsDocumentedWithAUniqueKeyAndEnvironmentVariable() {
        Set<String> keys = new HashSet<>();
        Set<String> envs = new HashSet<>();
        for (Setting<?> s : Settings.ALL) {
            assertTrue(keys.add(s.key()), "duplicate key " + s.key());
            assertTrue(envs.add(s.env()), "duplicate env " + s.env());
            assertTrue(s.env().matches("LASTHOP_[A-Z0-9_]+"), s.env());
            assertFalse(s.doc() == null || s.doc().isBlank(), s.key());
            assertTrue(EdgeConfig.describe().contains(s.key() + " (" + s.env() + ")"), s.key());
        }
    }

    @Test
    void environmentVariableNames() {
        assertEquals("LASTHOP_HTTP_PORT", Settings.HTTP_PORT.env());
        assertEquals("LASTHOP_SESSION_QUEUE_MAX_LENGTH", Settings.QUEUE_MAX_LENGTH.env());
        assertEquals("LASTHOP_JWT_HS256_SECRET", Settings.JWT_HS256_SECRET.env());
    }

    // ---- file and environment ----

    @Test
    void fileOverridesDefaults() throws IOException {
        Path file = properties(
                "# comment",
                "http.port = 9090",
                "session.queue.type=quorum",
                "jwt.algorithms=HS256, HS512,,",
                "heartbeat=10s",
                "dev=yes");
        EdgeConfig c = EdgeConfig.load(file, Map.of());
        assertEquals(9090, c.get(Settings.HTTP_PORT));
        assertEquals("quorum", c.get(Settings.QUEUE_TYPE));
        assertEquals(List.of("HS256", "HS512"), List.copyOf(c.get(Settings.JWT_ALGORITHMS)));
        assertEquals(Duration.ofSeconds(10), c.get(Settings.HEARTBEAT));
        assertEquals(true, c.get(Settings.DEV));
        assertEquals(64, c.get(Settings.PREFETCH), "keys not in the file keep their default");
    }

    @Test
    void environmentOverridesFile() throws IOException {
        Path file = properties("http.port=9090", "session.prefetch=10", "jwt.issuer=file-issuer");
        EdgeConfig c = EdgeConfig.load(
                file,
                Map.of(
                        "LASTHOP_HTTP_PORT", " 9191 ",
                        "LASTHOP_JWT_ISSUER", "env-issuer",
                        "LASTHOP_NODE_ID", "edge-7",
                        "UNRELATED", "ignored"));
        assertEquals(9191, c.get(Settings.HTTP_PORT));
        assertEquals("env-issuer", c.get(Settings.JWT_ISSUER));
        assertEquals(10, c.get(Settings.PREFETCH), "the file still applies where the environment is silent");
        assertEquals("edge-7", c.get(Settings.NODE_ID));
    }

    @Test
    void unknownFileKeyIsRefused() throws IOException {
        Path file = properties("http.port=9090", "http.prot=9091");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EdgeConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("http.prot"), e.getMessage());
    }

    @Test
    void badValueInFileNamesTheSetting() throws IOException {
        Path file = properties("session.prefetch=lots");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EdgeConfig.load(file, Map.of()));
        assertTrue(e.getMessage().contains("session.prefetch"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "LASTHOP_HTTP_PORT | eighty",
                "LASTHOP_HTTP_PORT | 70000",
                "LASTHOP_HTTP_PORT | -1",
                "LASTHOP_HTTP_PORT | 1.5",
                "LASTHOP_MAX_FRAME_BYTES | 100",
                "LASTHOP_SESSION_PREFETCH | 99999999999",
                "LASTHOP_HEARTBEAT | 25",
                "LASTHOP_HEARTBEAT | 1.5s",
                "LASTHOP_HEARTBEAT | -1s",
                "LASTHOP_HEARTBEAT | 5d",
                "LASTHOP_JWT_LEEWAY | soon",
                "LASTHOP_HEARTBEAT | 9999999999999999h",
                "LASTHOP_SESSION_QUEUE_TYPE | stream",
                "LASTHOP_SESSION_QUEUE_OVERFLOW | drop-tail",
                "LASTHOP_DEV | maybe"
            })
    void badEnvironmentValueNamesTheVariable(String env, String value) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EdgeConfig.load(null, Map.of(env, value)));
        assertTrue(e.getMessage().contains(env), e.getMessage());
    }

    // ---- builder ----

    @Test
    void builderSetsAndUnsets() {
        EdgeConfig c = EdgeConfig.newBuilder()
                .set(Settings.HTTP_PORT, 1234)
                .set(Settings.NODE_ID, "n1")
                .build();
        assertEquals(1234, c.get(Settings.HTTP_PORT));
        EdgeConfig d = c.toBuilder().set(Settings.HTTP_PORT, null).build();
        assertEquals(8080, d.get(Settings.HTTP_PORT), "unset falls back to the default");
        assertEquals("n1", d.get(Settings.NODE_ID), "toBuilder keeps what was set");
        assertEquals(1234, c.get(Settings.HTTP_PORT), "the original is unchanged");
    }

    // ---- durations ----

    @ParameterizedTest
    @CsvSource({"500ms, 500", "25s, 25000", "2m, 120000", "1h, 3600000", "0s, 0", " 10 s , 10000", "90s, 90000"})
    void parsesDurations(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "25", "s", "1.5s", "-1s", "5d", "1 h 2 m", "ms500", "10 sec"})
    void refusesWhatIsNotADuration(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("duration"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "500, 500ms",
        "25000, 25s",
        "120000, 2m",
        "3600000, 1h",
        "90000, 90s",
        "5400000, 90m",
        "0, 0ms",
        "1500, 1500ms",
        "86400000, 24h"
    })
    void formatsDurations(long millis, String text) {
        assertEquals(text, Durations.format(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), Durations.parse(text), "format and parse round-trip");
    }

    private Path properties(String... lines) throws IOException {
        Path file = dir.resolve("edge.properties");
        Files.write(file, List.of(lines));
        return file;
    }
}
