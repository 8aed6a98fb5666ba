package io.lasthop.protocol;

import java.util.Map;

/**
 * A message delivered to the client.
 *
 * @param seq           this connection's delivery number, which the client acks cumulatively
 * @param id            stable across redeliveries: the AMQP {@code message_id}, or one derived from
 *                      the content when the publisher set none (see {@link MessageIds})
 * @param redelivered   the broker delivered this message before, maybe to another connection
 * @param exchange      the exchange the message was published to
 * @param routingKey    the routing key it was published with
 * @param contentType   the AMQP {@code content_type}, or null
 * @param type          the AMQP {@code type}, or null
 * @param timestampMillis the AMQP {@code timestamp} in epoch milliseconds, or null
 * @param headers       AMQP headers whose values are strings, numbers or booleans; may be empty
 * @param body          the AMQP body, passed through unchanged
 * @param replyToken    when the message has a {@code reply_to}: the token a {@code reply} frame
 *                      must carry; else null
 */
public record MessageFrame(
        long seq,
        String id,
        boolean redelivered,
        String exchange,
        String routingKey,
        String contentType,
        String type,
        Long timestampMillis,
        Map<String, Object> headers,
        byte[] body,
        String replyToken) {}
