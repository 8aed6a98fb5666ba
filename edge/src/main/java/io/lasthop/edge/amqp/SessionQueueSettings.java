package io.lasthop.edge.amqp;

import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.protocol.AmqpNames;
import java.util.HashMap;
import java.util.Map;

/** How session queues are declared and consumed: the queue arguments, and the consumer prefetch. */
public final class SessionQueueSettings {
    private final Map<String, Object> arguments;
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
        args.put("x-queue-type", config.get(Settings.QUEUE_TYPE));
        this.arguments = Map.copyOf(args);
        this.prefetch = config.get(Settings.PREFETCH);
    }

    public Map<String, Object> arguments() {
        return arguments;
    }

    public int prefetch() {
        return prefetch;
    }
}
