package io.lasthop.edge.cli;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.protocol.AmqpNames;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.UUID;

/**
 * {@code java -jar lasthop-edge.jar publish USER JSON}: publishes one message to a user the way a
 * service would, with a stock AMQP client, for trying Lasthop from a shell.
 */
public final class PublishCommand {
    private PublishCommand() {}

    public static int run(String[] args, String amqpUri) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java -jar lasthop-edge.jar publish USER JSON");
            return 2;
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(amqpUri);
        try (Connection c = factory.newConnection("lasthop-cli");
                Channel ch = c.createChannel()) {
            ch.confirmSelect();
            String id = UUID.randomUUID().toString();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .messageId(id)
                    .contentType("application/json")
                    .deliveryMode(2)
                    .timestamp(new Date())
                    .build();
            ch.basicPublish(
                    AmqpNames.USER_EXCHANGE,
                    AmqpNames.userRoutingKey(args[1]),
                    true,
                    props,
                    args[2].getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5_000);
            System.out.println("published " + id + " to " + args[1]);
        }
        return 0;
    }
}
