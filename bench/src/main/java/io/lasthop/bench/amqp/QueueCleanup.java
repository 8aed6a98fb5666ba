package io.lasthop.bench.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.List;

/** Deletes a run's queues by name, and counts those that went, even when it stops on an error. */
public final class QueueCleanup {
    private int deleted;

    /**
     * Deletes each queue over one channel, opened again after an error closed it. Throws if no
     * channel can be opened; {@link #deleted()} still counts what went before.
     */
    public void deleteAll(Connection connection, List<String> names) throws IOException {
        Channel ch = connection.createChannel();
        for (String q : names) {
            try {
                ch.queueDelete(q);
                deleted++;
            } catch (Exception e) {
                if (!ch.isOpen()) {
                    ch = connection.createChannel();
                }
            }
        }
    }

    public int deleted() {
        return deleted;
    }
}
