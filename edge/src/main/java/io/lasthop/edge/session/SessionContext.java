package io.lasthop.edge.session;

import io.lasthop.edge.amqp.Publisher;
import io.lasthop.edge.auth.ReplyTokens;
import io.lasthop.edge.auth.Revocations;
import io.lasthop.edge.auth.TokenVerifier;
import io.lasthop.edge.metrics.EdgeMetrics;
import java.util.concurrent.Executor;

/**
 * What every session of a node shares, fixed at start: its settings and the node's services.
 *
 * @param nodeId   this node's name, as clients see it in hello
 * @param amqpPool the threads that run sessions' blocking AMQP calls, each session in order
 */
public record SessionContext(
        String nodeId,
        SessionSettings settings,
        EdgeMetrics metrics,
        TokenVerifier tokens,
        Revocations revocations,
        ReplyTokens replyTokens,
        Publisher publisher,
        Presence presence,
        FloodPenalties floodPenalties,
        Executor amqpPool) {}
