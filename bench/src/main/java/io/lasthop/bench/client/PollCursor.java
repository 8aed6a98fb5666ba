package io.lasthop.bench.client;

/**
 * What a long-polling client carries from one poll to the next (PROTOCOL.md §4): the number of the
 * last answer it read, named back as {@code answered}, without which the edge starts the
 * connection over; and the cumulative ack that rides in the next poll's body. Not thread safe:
 * one per session, used on its event loop.
 */
final class PollCursor {
    /** Header of every answer: its number on the connection. */
    static final String ANSWER_HEADER = "X-Lasthop-Answer";

    private long answered = -1;
    private long ack;

    /**
     * An answer was read, with this {@link #ANSWER_HEADER}. Without one the next poll names no
     * answer, as the JS client does, and the edge starts the connection over.
     */
    void answered(String header) {
        try {
            answered = header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            answered = -1;
        }
    }

    /** A delivery to ack; acks are cumulative, so the highest wins. */
    void ack(long seq) {
        ack = Math.max(ack, seq);
    }

    /**
     * The next poll's request target. {@code session}, {@code connection} and {@code node} come
     * from the latest {@code hello}, null before the first; {@code node} is URL-encoded already.
     * {@code session} always goes with {@code connection}: a poll with an ack and a connection but
     * no session gets no answer (PROTOCOL.md §2).
     */
    String uri(String token, String session, String connection, String node) {
        StringBuilder sb = new StringBuilder(200 + token.length())
                .append("/lasthop/poll?token=")
                .append(token);
        if (session != null) {
            sb.append("&session=").append(session);
            if (connection != null) {
                sb.append("&connection=").append(connection);
            }
        }
        if (node != null) {
            sb.append("&node=").append(node);
        }
        if (answered >= 0) {
            sb.append("&answered=").append(answered);
        }
        return sb.toString();
    }

    /** The next poll's body, a JSON array of client frames: the pending ack, sent once. */
    String takeBody() {
        if (ack == 0) {
            return "[]";
        }
        String body = "[{\"t\":\"ack\",\"seq\":" + ack + "}]";
        ack = 0;
        return body;
    }
}
