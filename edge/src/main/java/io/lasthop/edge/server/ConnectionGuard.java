package io.lasthop.edge.server;

import io.lasthop.edge.http.ConnectionEvents;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.protocol.ErrorCode;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Guards one client connection (or HTTP/2 stream), right after the HTTP codec, so that no client,
 * with or without a token, can make the node hold more than a fixed amount for it (the node's
 * connection bounds are {@link ConnectionCounter}'s):
 * <ul>
 *   <li>the request timeout: until it carries a session, a connection must send each whole request
 *       within {@code http.request.timeout} of being accepted or of its previous answer;
 *   <li>one request at a time: a pipelined request waits, unread, until the answer before it is
 *       written and the socket is writable, and reading stops meanwhile (TCP pushes back); a
 *       client that pipelines more than a few requests or bytes is disconnected;
 *   <li>no reading while the socket is not writable, sessions included: a client that does not
 *       read what it asked for cannot make the edge queue more answers.
 * </ul>
 * Once an endpoint attaches a session ({@link ConnectionEvents#SESSION_ATTACHED}) the session's own
 * heartbeat and output bound take over. Event loop only.
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    /** Requests a client may send ahead of the answer it waits for. */
    static final int MAX_PIPELINED_REQUESTS = 8;

    private enum State {
        /** Waiting for a request; the timer runs. */
        IDLE,
        /** Passing a request on as it arrives; the timer runs. */
        RECEIVING,
        /** The request is whole; its answer is due (a long-poll may take a while). */
        ANSWERING,
        /** The connection carries a session: only writability gates reading. */
        SESSION
    }

    private final EdgeMetrics metrics;
    private final long requestTimeoutNanos;
    private final int maxHeldBytes;
    private final ArrayDeque<HttpObject> held = new ArrayDeque<>();
    private int heldRequests;
    private long heldBytes;
    private State state = State.IDLE;
    private boolean answeredEarly;
    private ScheduledFuture<?> timer;

    /** @param maxHeldBytes body bytes of pipelined requests held at most */
    ConnectionGuard(EdgeMetrics metrics, long requestTimeoutNanos, int maxHeldBytes) {
        this.metrics = metrics;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.maxHeldBytes = maxHeldBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added after a TLS handshake, or to an HTTP/2 stream: the connection is already active.
        if (ctx.channel().isActive()) {
            armTimer(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armTimer(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        releaseHeld();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != ConnectionEvents.SESSION_ATTACHED) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        state = State.SESSION;
        cancelTimer();
        releaseHeld();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.SESSION || !(msg instanceof HttpObject o)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (held.isEmpty() && mayPass(ctx)) {
            pass(ctx, o);
        } else {
            hold(ctx, o);
        }
    }

    /** The rest of the request being received, or a new request while nothing is due and the socket takes more. */
    private boolean mayPass(ChannelHandlerContext ctx) {
        return state == State.RECEIVING || (state == State.IDLE && ctx.channel().isWritable());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // 100 Continue and 101 Switching Protocols are not the answer.
        boolean answered = state != State.SESSION
                && msg instanceof LastHttpContent
                && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL);
        ctx.write(msg, promise);
        if (!answered) {
            return;
        }
        if (state == State.RECEIVING) {
            // Answered before the request was whole (a refused preflight, a 413): done once it is.
            answeredEarly = true;
        } else if (state == State.ANSWERING) {
            state = State.IDLE;
            armTimer(ctx);
            // After this write has gone down the pipeline: the next request is let in by the loop.
            ctx.executor().execute(() -> passHeld(ctx));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        passHeld(ctx);
        updateAutoRead(ctx);
        ctx.fireChannelWritabilityChanged();
    }

    private void pass(ChannelHandlerContext ctx, HttpObject o) {
        if (o instanceof HttpRequest) {
            state = State.RECEIVING;
            answeredEarly = false;
        }
        if (o instanceof LastHttpContent && state == State.RECEIVING) {
            cancelTimer();
            state = answeredEarly ? State.IDLE : State.ANSWERING;
            if (answeredEarly) {
                armTimer(ctx);
            }
        }
        ctx.fireChannelRead(o);
    }

    private void hold(ChannelHandlerContext ctx, HttpObject o) {
        held.add(o);
        if (o instanceof HttpRequest) {
            heldRequests++;
        }
        if (o instanceof HttpContent c) {
            heldBytes += c.content().readableBytes();
        }
        if (heldRequests > MAX_PIPELINED_REQUESTS || heldBytes > maxHeldBytes) {
            metrics.refused("pipelining");
            releaseHeld();
            ctx.close();
            return;
        }
        updateAutoRead(ctx);
    }

    /** Lets held requests in, one at a time, while the socket is writable and nothing is due. */
    private void passHeld(ChannelHandlerContext ctx) {
        while (!held.isEmpty() && ctx.channel().isActive() && mayPass(ctx)) {
            HttpObject o = held.poll();
            if (o instanceof HttpRequest) {
                heldRequests--;
            }
            if (o instanceof HttpContent c) {
                heldBytes -= c.content().readableBytes();
            }
            pass(ctx, o);
        }
        updateAutoRead(ctx);
    }

    private void updateAutoRead(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(held.isEmpty() && ctx.channel().isWritable());
    }

    private void armTimer(ChannelHandlerContext ctx) {
        cancelTimer();
        timer = ctx.executor().schedule(() -> timedOut(ctx), requestTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void timedOut(ChannelHandlerContext ctx) {
        timer = null;
        if (state != State.IDLE && state != State.RECEIVING) {
            return;
        }
        metrics.refused("request_timeout");
        if (state == State.RECEIVING && !answeredEarly) {
            state = State.ANSWERING;
            HttpResponses.error(
                    ctx,
                    null,
                    HttpResponseStatus.REQUEST_TIMEOUT,
                    ErrorCode.REQUEST_TIMEOUT,
                    "the request did not arrive whole within " + requestTimeoutNanos / 1_000_000 + " ms");
        } else {
            ctx.close();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void releaseHeld() {
        for (HttpObject o; (o = held.poll()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        heldRequests = 0;
        heldBytes = 0;
    }
}
