package io.lasthop.edge.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import io.lasthop.protocol.MessageFrame;
import io.lasthop.protocol.MessageIds;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one place where AMQP messages become frames, and where the edge's own messages get their properties. */
public final class AmqpMessages {
    /** The {@code app_id} of every message the edge publishes. */
    public static final String APP_ID = "lasthop";

    private AmqpMessages() {}

    /**
     * A delivery as the client sees it.
     *
     * @param replyToken the token a reply must carry when the message has a {@code reply_to}, else null
     */
    public static MessageFrame toFrame(
            long seq, Envelope envelope, AMQP.BasicProperties props, byte[] body, String replyToken) {
        Long ts = props.getTimestamp() == null ? null : props.getTimestamp().getTime();
        String id = MessageIds.of(
                props.getMessageId(),
                envelope.getExchange(),
                envelope.getRoutingKey(),
                ts,
                props.getCorrelationId(),
                body);
        return new MessageFrame(
                seq,
                id,
                envelope.isRedeliver(),
                envelope.getExchange(),
                envelope.getRoutingKey(),
                props.getContentType(),
                props.getType(),
                ts,
                headers(props),
                body,
                replyToken);
    }

    /**
     * Properties of a message the edge publishes: stamped with {@link #APP_ID} and the time.
     *
     * @param persistent delivery mode 2, for what services must not lose (what browsers send)
     */
    public static AMQP.BasicProperties.Builder properties(
            String messageId, String contentType, boolean persistent, Map<String, Object> headers) {
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder()
                .messageId(messageId)
                .contentType(contentType)
                .timestamp(new Date())
                .appId(APP_ID)
                .headers(headers);
        return persistent ? b.deliveryMode(2) : b;
    }

    /**
     * AMQP headers with long strings as text; which values a frame can carry is
     * {@link io.lasthop.protocol.ServerFrames}'s decision.
     */
    private static Map<String, Object> headers(AMQP.BasicProperties props) {
        Map<String, Object> in = props.getHeaders();
        if (in == null || in.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> out = new LinkedHashMap<>(in.size() * 2);
        for (Map.Entry<String, Object> e : in.entrySet()) {
            Object v = e.getValue();
            out.put(e.getKey(), v instanceof LongString ls ? ls.toString() : v);
        }
        return out;
    }
}
