package io.lasthop.service;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.lasthop.protocol.AmqpNames;
import java.util.Map;

/**
 * Reads the headers an edge sets on what browsers send to {@code lasthop.inbound}: who sent it, and
 * where to answer. Consume a queue bound to {@code lasthop.inbound} and pass each message's
 * properties here.
 *
 * <p>The edge sets these headers from the verified token, but the broker cannot tell an edge from any
 * other publisher: trust them as far as you trust everyone with write permission on
 * {@code lasthop.inbound}, and restrict that permission to the edges' AMQP user.
 */
public final class InboundMessages {
    /** The verified user id (the token's {@code sub}) of the sending browser. */
    public static final String USER_HEADER = AmqpNames.USER_HEADER;
    /** The sending session's queue; also the message's {@code reply_to}. */
    public static final String SESSION_HEADER = AmqpNames.SESSION_HEADER;
    /** The edge node the browser was connected to. */
    public static final String NODE_HEADER = AmqpNames.NODE_HEADER;

    private InboundMessages() {}

    /** The sending browser's user id, or null when the message did not come through an edge. */
    public static String userId(AMQP.BasicProperties props) {
        return header(props, USER_HEADER);
    }

    /**
     * The sending session's queue, to answer that one session with
     * {@link LasthopPublisher#toSession}; null when the message did not come through an edge.
     */
    public static String sessionQueue(AMQP.BasicProperties props) {
        return header(props, SESSION_HEADER);
    }

    /** The edge node that published the message, or null. */
    public static String node(AMQP.BasicProperties props) {
        return header(props, NODE_HEADER);
    }

    /** A string header, whether it arrived as an AMQP long string (as from the broker) or a String. */
    private static String header(AMQP.BasicProperties props, String name) {
        Map<String, Object> headers = props == null ? null : props.getHeaders();
        Object value = headers == null ? null : headers.get(name);
        if (value instanceof LongString || value instanceof String) {
            return value.toString();
        }
        return null;
    }
}
