package io.lasthop.edge.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Session queues are placed next to their consumer on a cluster, with the argument each broker
 * version reads; and they use nothing RabbitMQ 4 denies by default.
 */
class SessionQueueSettingsTest {

    @Test
    void classicQueuesSayClientLocalAsTheirBrokerVersionReadsIt() {
        SessionQueueSettings classic =
                new SessionQueueSettings(EdgeConfig.newBuilder().build());
        Map<String, Object> old = classic.arguments("3.10.8");
        assertEquals("client-local", old.get("x-queue-master-locator"));
        assertNull(old.get("x-queue-leader-locator"));
        for (String version : new String[] {"3.12.0", "3.13.7", "4.0.5", "4.1.0-rc.1", "unknown"}) {
            Map<String, Object> recent = classic.arguments(version);
            assertEquals("client-local", recent.get("x-queue-leader-locator"), version);
            assertNull(recent.get("x-queue-master-locator"), version);
        }
    }

    @Test
    void quorumQueuesSayLeaderLocatorOnEveryVersion() {
        SessionQueueSettings quorum = new SessionQueueSettings(EdgeConfig.newBuilder()
                .set(Settings.QUEUE_TYPE, "quorum")
                .set(Settings.QUEUE_OVERFLOW, "drop-head")
                .build());
        for (String version : new String[] {"3.10.8", "4.0.5"}) {
            assertEquals("client-local", quorum.arguments(version).get("x-queue-leader-locator"));
            assertEquals("quorum", quorum.arguments(version).get("x-queue-type"));
            assertNull(quorum.arguments(version).get("x-queue-master-locator"));
        }
    }

    @Test
    void versionsBefore312() {
        assertTrue(SessionQueueSettings.before312("3.10.8"));
        assertTrue(SessionQueueSettings.before312("3.11.28"));
        assertFalse(SessionQueueSettings.before312("3.12.0"));
        assertFalse(SessionQueueSettings.before312("4.0.5"));
        assertFalse(SessionQueueSettings.before312(null));
    }
}
