package io.lasthop.edge.amqp;

import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.protocol.AmqpNames;
import java.util.HashMap;
import java.util.Map;

/**
 * How session queues are declared and consumed: the queue arguments, and the consumer prefetch.
 * On a cluster a session's queue is placed on the broker node its consumer's connection is on
 * ({@code client-local}), so deliveries never cross the cluster between queue and consumer; the
 * argument that says so is {@code x-queue-master-locator} for classic queues before RabbitMQ 3.12
 * and {@code x-queue-leader-locator} since, and for quorum queues.
 */
public final class SessionQueueSettings {
    private static final String CLIENT_LOCAL = "client-local";
    /**
     * For the benchmark only ({@code bench/run cluster} measures locality against its absence): the
     * locator to declare session queues with instead of {@code client-local}, e.g. {@code random}
     * (classic) or {@code balanced} (quorum). Not a setting: nothing but a measurement should place
     * queues away from their consumers.
     */
    private static final String LOCATOR = System.getProperty("lasthop.bench.queueLocator", CLIENT_LOCAL);

    private final Map<String, Object> withMasterLocator;
    private final Map<String, Object> withLeaderLocator;
    private final int prefetch;

    public SessionQueueSettings(EdgeConfig config) {
        String type = config.get(Settings.QUEUE_TYPE);
        String overflow = config.get(Settings.QUEUE_OVERFLOW);
        if (type.equals("quorum") && overflow.equals("reject-publish-dlx")) {
            throw new IllegalArgumentException("quorum queues do not support x-overflow reject-publish-dlx; set "
                    + Settings.QUEUE_OVERFLOW.env() + " to drop-head or reject-publish");
        }
        Map<String, Object> args = new HashMap<>();
        args.put("x-expires", config.get(Settings.RESUME_WINDOW).toMillis());
        args.put("x-max-length", config.get(Settings.QUEUE_MAX_LENGTH));
        args.put("x-overflow", config.get(Settings.QUEUE_OVERFLOW));
        args.put("x-dead-letter-exchange", AmqpNames.DEAD_EXCHANGE);
        args.put("x-single-active-consumer", true);
        args.put("x-queue-type", type);
        Map<String, Object> leader = new HashMap<>(args);
        leader.put("x-queue-leader-locator", LOCATOR.equals("random") ? "balanced" : LOCATOR);
        this.withLeaderLocator = Map.copyOf(leader);
        if (type.equals("classic")) {
            args.put("x-queue-master-locator", LOCATOR);
            this.withMasterLocator = Map.copyOf(args);
        } else {
            this.withMasterLocator = withLeaderLocator;
        }
        this.prefetch = config.get(Settings.PREFETCH);
    }

    /** The arguments to declare a session queue with on a broker of this version (e.g. "3.10.8"). */
    public Map<String, Object> arguments(String brokerVersion) {
        return before312(brokerVersion) ? withMasterLocator : withLeaderLocator;
    }

    static boolean before312(String version) {
        String[] parts = version == null ? new String[0] : version.split("[.-]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major < 3 || (major == 3 && minor < 12);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false; // an unknown broker is taken to be a recent one
        }
    }

    public int prefetch() {
        return prefetch;
    }
}
