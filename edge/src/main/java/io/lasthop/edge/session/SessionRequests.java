package io.lasthop.edge.session;

import com.rabbitmq.client.AMQP;
import io.lasthop.edge.amqp.Publisher;
import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.auth.AuthException;
import io.lasthop.edge.auth.Permissions;
import io.lasthop.edge.auth.ReplyTokens;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.TopicPatterns;
import java.io.IOException;
import java.util.Date;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The browser's way back into AMQP: sends to {@code lasthop.inbound}, replies to {@code reply_to}
 * addresses, and topic subscriptions as bindings on the session's queue. Every request is answered
 * with {@code ok} or {@code error} carrying its {@code ref}. Event-loop confined, like its session.
 */
final class SessionRequests {
    private final Session session;
    private final SessionManager manager;
    private final TokenBucket bucket;
    private final Set<String> subscriptions = new HashSet<>();

    SessionRequests(Session session, SessionManager manager) {
        this.session = session;
        this.manager = manager;
        this.bucket = new TokenBucket(manager.limits().rate(), manager.limits().burst(), System.nanoTime());
    }

    void handle(ClientFrame.Request r) {
        if (!bucket.tryTake(System.nanoTime())) {
            session.answerError(r.ref(), ErrorCode.RATE_LIMITED, "more than " + manager.limits().rate()
                    + " requests per second (burst " + manager.limits().burst() + "); slow down and retry");
            return;
        }
        if (r instanceof ClientFrame.Send s) {
            send(s);
        } else if (r instanceof ClientFrame.Reply reply) {
            reply(reply);
        } else if (r instanceof ClientFrame.Subscribe sub) {
            subscribe(sub);
        } else if (r instanceof ClientFrame.Unsubscribe unsub) {
            unsubscribe(unsub);
        }
    }

    private void send(ClientFrame.Send s) {
        if (tooLarge(s.ref(), s.body())) {
            return;
        }
        if (!TopicPatterns.isLiteralKey(s.key())) {
            session.answerError(s.ref(), ErrorCode.BAD_KEY, "a send needs a literal routing key: words of 1 or more "
                    + "characters separated by '.', no '*' or '#', at most 255 bytes");
            return;
        }
        if (!Permissions.allows(session.principal().send(), s.key())) {
            session.answerError(s.ref(), ErrorCode.FORBIDDEN, "the token does not allow sending to \"" + s.key() + "\"");
            return;
        }
        AMQP.BasicProperties props = properties(s.id(), s.body())
                .replyTo(session.queue)
                .build();
        answerWhenConfirmed(s.ref(), manager.publisher().publish(AmqpNames.INBOUND_EXCHANGE, s.key(), props,
                s.body().bytes()));
    }

    private void reply(ClientFrame.Reply r) {
        if (tooLarge(r.ref(), r.body())) {
            return;
        }
        ReplyTokens.Grant grant;
        try {
            grant = manager.replyTokens().verify(r.token(), session.userId());
        } catch (AuthException e) {
            session.answerError(r.ref(), e.code(), e.getMessage());
            return;
        }
        AMQP.BasicProperties props = properties(null, r.body())
                .correlationId(grant.correlationId())
                .replyTo(session.queue)
                .build();
        answerWhenConfirmed(r.ref(), manager.publisher().publish("", grant.replyTo(), props, r.body().bytes()));
    }

    private void subscribe(ClientFrame.Subscribe s) {
        String topic = s.topic();
        if (!TopicPatterns.isPattern(topic)) {
            session.answerError(s.ref(), ErrorCode.BAD_KEY, "not a topic pattern: words separated by '.', "
                    + "'*' and '#' only as whole words, at most 255 bytes");
            return;
        }
        if (!Permissions.allows(session.principal().subscribe(), topic)) {
            session.answerError(s.ref(), ErrorCode.FORBIDDEN, "the token does not allow subscribing to \"" + topic + "\"");
            return;
        }
        if (!subscriptions.contains(topic) && subscriptions.size() >= manager.limits().maxSubscriptions()) {
            session.answerError(s.ref(), ErrorCode.TOO_MANY_SUBSCRIPTIONS, "this connection holds "
                    + subscriptions.size() + " subscriptions, the most it may");
            return;
        }
        boolean added = subscriptions.add(topic);
        onBroker(s.ref(), link -> link.bind(AmqpNames.TOPIC_EXCHANGE, topic), () -> {
            if (added) {
                subscriptions.remove(topic);
            }
        });
    }

    private void unsubscribe(ClientFrame.Unsubscribe u) {
        String topic = u.topic();
        if (!TopicPatterns.isPattern(topic)) {
            session.answerError(u.ref(), ErrorCode.BAD_KEY, "not a topic pattern");
            return;
        }
        onBroker(u.ref(), link -> link.unbind(AmqpNames.TOPIC_EXCHANGE, topic), () -> { },
                () -> subscriptions.remove(topic));
    }

    private void onBroker(long ref, LinkCall call, Runnable onFailure) {
        onBroker(ref, call, onFailure, () -> { });
    }

    /** Runs a blocking binding change on the session's AMQP executor, then answers on the loop. */
    private void onBroker(long ref, LinkCall call, Runnable onFailure, Runnable onSuccess) {
        session.amqp.execute(() -> {
            SessionLink link = session.link;
            String error = null;
            if (link == null || !link.alive()) {
                error = "the session is re-attaching to the broker; retry";
            } else {
                try {
                    call.run(link);
                } catch (IOException | RuntimeException e) {
                    error = "the broker refused: " + e.getMessage();
                }
            }
            String failure = error;
            session.eventLoop().execute(() -> {
                if (failure == null) {
                    onSuccess.run();
                    session.answerOk(ref);
                } else {
                    onFailure.run();
                    session.answerError(ref, ErrorCode.UNAVAILABLE, failure);
                }
            });
        });
    }

    private boolean tooLarge(long ref, ClientFrame.Body body) {
        if (body.bytes().length > manager.limits().maxBytes()) {
            session.answerError(ref, ErrorCode.TOO_LARGE, "the body has " + body.bytes().length
                    + " bytes; the most is " + manager.limits().maxBytes());
            return true;
        }
        return false;
    }

    private AMQP.BasicProperties.Builder properties(String messageId, ClientFrame.Body body) {
        return new AMQP.BasicProperties.Builder()
                .messageId(messageId != null ? messageId : UUID.randomUUID().toString())
                .contentType(body.contentType())
                .deliveryMode(2)
                .timestamp(new Date())
                .appId("lasthop")
                .headers(Map.of(AmqpNames.USER_HEADER, session.userId(), AmqpNames.SESSION_HEADER, session.queue,
                        AmqpNames.NODE_HEADER, manager.nodeId()));
    }

    private void answerWhenConfirmed(long ref, CompletableFuture<Publisher.Outcome> outcome) {
        outcome.thenAccept(o -> session.eventLoop().execute(() -> {
            if (o.ok()) {
                session.answerOk(ref);
            } else {
                session.answerError(ref, o.error(), o.message());
            }
        }));
    }

    @FunctionalInterface
    private interface LinkCall {
        void run(SessionLink link) throws IOException;
    }
}
