package io.lasthop.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The id a client de-duplicates by. It must be the same on every redelivery of a message, to any
 * connection on any node, so it can only come from the message itself.
 */
public final class MessageIds {
    private MessageIds() {}

    /**
     * The publisher's {@code message_id} when set; otherwise {@code h:} and a hash of the exchange,
     * routing key, timestamp, correlation id and body. Two byte-identical messages published without
     * {@code message_id} and without distinct timestamps get the same id, and a client drops the
     * second as a duplicate: publishers that may send identical messages set {@code message_id}.
     */
    public static String of(
            String messageId,
            String exchange,
            String routingKey,
            Long timestampMillis,
            String correlationId,
            byte[] body) {
        if (messageId != null && !messageId.isEmpty()) {
            return messageId;
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64 + body.length);
        field(buf, exchange);
        field(buf, routingKey);
        field(buf, timestampMillis == null ? "" : Long.toString(timestampMillis));
        field(buf, correlationId == null ? "" : correlationId);
        buf.writeBytes(body);
        byte[] hash = AmqpNames.sha256(buf.toByteArray());
        return "h:"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 22);
    }

    private static void field(ByteArrayOutputStream buf, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buf.write(bytes.length >>> 24);
        buf.write(bytes.length >>> 16);
        buf.write(bytes.length >>> 8);
        buf.write(bytes.length);
        buf.writeBytes(bytes);
    }
}
