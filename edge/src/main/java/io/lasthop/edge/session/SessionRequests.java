package io.lasthop.edge.session;

import com.rabbitmq.client.AMQP;
import io.lasthop.edge.amqp.AmqpMessages;
import io.lasthop.edge.amqp.Publisher;
import io.lasthop.edge.amqp.SessionLink;
import io.lasthop.edge.auth.AuthException;
import io.lasthop.edge.auth.Permissions;
import io.lasthop.edge.auth.ReplyTokens;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.ClientFrame;
import io.lasthop.protocol.CloseCode;
import io.lasthop.protocol.ErrorCode;
import io.lasthop.protocol.ServerFrames;
import io.lasthop.protocol.TopicPatterns;
import java.io.IOException;
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
    /**
     * Answers a client may draw beyond the budget (dropped, unwritten) before its connection is
     * closed with 4004; the allowance refills at the budget's rate. Counting drops in a row instead
     * would let a flood live on the one token that refills between two of its reads.
     */
    static final int MAX_DROPPED_ANSWERS = 1_000;

    private final Session session;
    private final SessionToken token;
    private final SessionContext ctx;
    private final SessionSettings limits;
    private final TokenBucket bucket;
    private final TokenBucket answers;
    private final TokenBucket overdraft;
    private final Set<String> subscriptions = new HashSet<>();

    SessionRequests(Session session, SessionToken token, SessionContext ctx) {
        this.session = session;
        this.token = token;
        this.ctx = ctx;
        this.limits = ctx.settings();
        this.bucket = new TokenBucket(limits.requestRate(), limits.requestBurst(), System.nanoTime());
        this.answers = new TokenBucket(2 * limits.requestRate(), 2 * limits.requestBurst(), System.nanoTime());
        this.overdraft = new TokenBucket(2 * limits.requestRate(), MAX_DROPPED_ANSWERS, System.nanoTime());
    }

    /**
     * Takes one answer from the budget of answers that a client's frames may cost it: pongs, error
     * frames, token refreshes ({@code 2 × inbound.rate} a second, bursts of {@code 2 × inbound.burst}).
     * Past it the answer is dropped, so a client cannot make the edge write (or verify) at its own
     * pace; one that goes {@link #MAX_DROPPED_ANSWERS} past it is disconnected.
     */
    boolean mayAnswer() {
        long now = System.nanoTime();
        if (answers.tryTake(now)) {
            return true;
        }
        if (!overdraft.tryTake(now)) {
            ctx.metrics().refused("answers");
            ctx.floodPenalties().penalise(session.userId(), now);
            session.close(
                    CloseCode.TOO_MANY_FRAMES,
                    "more than " + MAX_DROPPED_ANSWERS + " frames beyond the " + answers.rate()
                            + " a second that are answered; slow down");
        }
        return false;
    }

    void handle(ClientFrame.Request r) {
        if (!bucket.tryTake(System.nanoTime())) {
            answerError(
                    r.ref(),
                    ErrorCode.RATE_LIMITED,
                    "more than " + limits.requestRate() + " requests per second (burst " + limits.requestBurst()
                            + "); slow down and retry");
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
            answerError(
                    s.ref(),
                    ErrorCode.BAD_KEY,
                    "a send needs a literal routing key: words of 1 or more "
                            + "characters separated by '.', no '*' or '#', at most 255 bytes");
            return;
        }
        if (!Permissions.allows(token.principal().send(), s.key())) {
            answerError(s.ref(), ErrorCode.FORBIDDEN, "the token does not allow sending to \"" + s.key() + "\"");
            return;
        }
        AMQP.BasicProperties props =
                properties(s.id(), s.body()).replyTo(session.queue()).build();
        answerWhenConfirmed(
                s.ref(),
                ctx.publisher()
                        .publish(
                                AmqpNames.INBOUND_EXCHANGE,
                                s.key(),
                                props,
                                s.body().bytes()));
    }

    private void reply(ClientFrame.Reply r) {
        if (tooLarge(r.ref(), r.body())) {
            return;
        }
        ReplyTokens.Grant grant;
        try {
            grant = ctx.replyTokens().verify(r.token(), session.userId());
        } catch (AuthException e) {
            answerError(r.ref(), e.code(), e.getMessage());
            return;
        }
        AMQP.BasicProperties props = properties(null, r.body())
                .correlationId(grant.correlationId())
                .replyTo(session.queue())
                .build();
        answerWhenConfirmed(
                r.ref(),
                ctx.publisher().publish("", grant.replyTo(), props, r.body().bytes()));
    }

    private void subscribe(ClientFrame.Subscribe s) {
        String topic = s.topic();
        if (!TopicPatterns.isPattern(topic)) {
            answerError(
                    s.ref(),
                    ErrorCode.BAD_KEY,
                    "not a topic pattern: words separated by '.', "
                            + "'*' and '#' only as whole words, at most 255 bytes");
            return;
        }
        if (!Permissions.allows(token.principal().subscribe(), topic)) {
            answerError(s.ref(), ErrorCode.FORBIDDEN, "the token does not allow subscribing to \"" + topic + "\"");
            return;
        }
        if (!subscriptions.contains(topic) && subscriptions.size() >= limits.maxSubscriptions()) {
            answerError(
                    s.ref(),
                    ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "this connection holds " + subscriptions.size() + " subscriptions, the most it may");
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
            answerError(u.ref(), ErrorCode.BAD_KEY, "not a topic pattern");
            return;
        }
        onBroker(
                u.ref(),
                link -> link.unbind(AmqpNames.TOPIC_EXCHANGE, topic),
                () -> {},
                () -> subscriptions.remove(topic));
    }

    private void onBroker(long ref, LinkCall call, Runnable onFailure) {
        onBroker(ref, call, onFailure, () -> {});
    }

    /** Runs a blocking binding change on the session's AMQP executor, then answers on the loop. */
    private void onBroker(long ref, LinkCall call, Runnable onFailure, Runnable onSuccess) {
        session.binding().amqp().execute(() -> {
            SessionLink link = session.binding().link();
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
                    answerOk(ref);
                } else {
                    onFailure.run();
                    answerError(ref, ErrorCode.UNAVAILABLE, failure);
                }
            });
        });
    }

    private boolean tooLarge(long ref, ClientFrame.Body body) {
        if (body.bytes().length > limits.maxBodyBytes()) {
            answerError(
                    ref,
                    ErrorCode.TOO_LARGE,
                    "the body has " + body.bytes().length + " bytes; the most is " + limits.maxBodyBytes());
            return true;
        }
        return false;
    }

    private AMQP.BasicProperties.Builder properties(String messageId, ClientFrame.Body body) {
        return AmqpMessages.properties(
                messageId != null ? messageId : UUID.randomUUID().toString(),
                body.contentType(),
                true,
                Map.of(
                        AmqpNames.USER_HEADER,
                        session.userId(),
                        AmqpNames.SESSION_HEADER,
                        session.queue(),
                        AmqpNames.NODE_HEADER,
                        ctx.nodeId()));
    }

    /** Answers request {@code ref} with {@code ok}. */
    private void answerOk(long ref) {
        if (session.isOpen()) {
            session.send(out -> ServerFrames.writeOk(out, ref), true);
        }
    }

    /** Answers request {@code ref} (none when negative) with an error; the connection stays open. */
    void answerError(long ref, ErrorCode code, String message) {
        ctx.metrics().clientError(code);
        if (session.isOpen() && mayAnswer()) {
            session.send(out -> ServerFrames.writeError(out, ref, code, message), true);
        }
    }

    private void answerWhenConfirmed(long ref, CompletableFuture<Publisher.Outcome> outcome) {
        outcome.thenAccept(o -> session.eventLoop().execute(() -> {
            if (o.ok()) {
                answerOk(ref);
            } else {
                answerError(ref, o.error(), o.message());
            }
        }));
    }

    @FunctionalInterface
    private interface LinkCall {
        void run(SessionLink link) throws IOException;
    }
}
