package io.lasthop.edge.session;

import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;

/**
 * The settings every session of a node follows, read once from the configuration.
 *
 * @param heartbeatMillis  interval of {@code ping} frames; a bidirectional client silent for three
 *                         intervals is closed
 * @param ackTimeoutNanos  how long a delivery may stay unacked before the connection is closed
 * @param leewayMillis     clock skew allowed past a token's {@code exp}, in whole seconds as Nimbus
 *                         checks it
 * @param prefetch         deliveries in flight per session ({@code basic.qos}), as told in hello
 * @param requestRate      requests a connection may make per second (token bucket rate)
 * @param requestBurst     requests a connection may make at once (token bucket size)
 * @param maxBodyBytes     largest body of a {@code send} or {@code reply}
 * @param maxSubscriptions topic subscriptions one connection may hold
 * @param maxOutputBytes   bytes a client may leave unread before its connection is closed
 */
public record SessionSettings(
        long heartbeatMillis,
        long ackTimeoutNanos,
        long leewayMillis,
        int prefetch,
        int requestRate,
        int requestBurst,
        int maxBodyBytes,
        int maxSubscriptions,
        int maxOutputBytes) {

    public static SessionSettings of(EdgeConfig config) {
        return new SessionSettings(
                config.get(Settings.HEARTBEAT).toMillis(),
                config.get(Settings.ACK_TIMEOUT).toNanos(),
                config.get(Settings.JWT_LEEWAY).toSeconds() * 1000,
                config.get(Settings.PREFETCH),
                config.get(Settings.INBOUND_RATE),
                config.get(Settings.INBOUND_BURST),
                config.get(Settings.INBOUND_MAX_BYTES),
                config.get(Settings.MAX_SUBSCRIPTIONS),
                config.get(Settings.MAX_OUTPUT_BYTES));
    }
}
