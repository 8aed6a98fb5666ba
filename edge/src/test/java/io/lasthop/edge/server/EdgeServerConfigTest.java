package io.lasthop.edge.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import org.junit.jupiter.api.Test;

/** Configurations the edge refuses at start, before it opens a port or a thread. */
class EdgeServerConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";

    @Test
    void aSecretIsRequiredOutsideDevMode() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeServer(EdgeConfig.newBuilder().build()));
        assertTrue(e.getMessage().contains("LASTHOP_JWT_HS256_SECRET"), e.getMessage());
    }

    @Test
    void devModeRefusesARealSecretSoDevTokensCannotBeRealOnes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeServer(EdgeConfig.newBuilder()
                        .set(Settings.DEV, true)
                        .set(Settings.JWT_HS256_SECRET, SECRET)
                        .build()));
        assertTrue(e.getMessage().contains("dev mode"), e.getMessage());
    }

    @Test
    void quorumQueuesNeedAnOverflowTheySupport() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new EdgeServer(EdgeConfig.newBuilder()
                        .set(Settings.JWT_HS256_SECRET, SECRET)
                        .set(Settings.QUEUE_TYPE, "quorum")
                        .build()));
        assertTrue(e.getMessage().contains("reject-publish-dlx"), e.getMessage());
    }
}
