package io.lasthop.edge.transport.poll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The long-poll transport's cycle on {@link EmbeddedChannel}s, with the clock in the test's hands:
 * a poll is held until a frame arrives or it times out; frames wait between polls, bounded; the
 * connection lingers for the next poll and ends when none comes; a close while no poll is held
 * leaves a farewell for the next one.
 */
class PollTransportTest {
    private static final long TIMEOUT_MS = 20_000;
    private static final long LINGER_MS = 30_000;

    /** The event loop the session and its timers run on; polls arrive on channels of their own. */
    private final EmbeddedChannel loop = new EmbeddedChannel();

    private final Farewells farewells = new Farewells();
    private final RecordingOwner owner = new RecordingOwner();
    private final LongAdder pending = new LongAdder();
    private final PollTransport poll = new PollTransport(owner, TIMEOUT_MS, LINGER_MS, farewells, pending);

    @BeforeEach
    void freezeTime() {
        loop.freezeTime();
    }

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    @Test
    void aHeldPollIsAnsweredByTheNextFrame() {
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        assertNull(request.readOutbound(), "nothing to say yet: the poll is held");

        write("{\"t\":\"msg\",\"seq\":1}");
        assertNull(request.readOutbound(), "a frame written but not flushed does not answer");
        poll.flush();
        assertAnswer(request, 1, "[{\"t\":\"msg\",\"seq\":1}]");
        assertEquals(1, owner.writable, "an answer makes room, and says so");
        request.finishAndReleaseAll();
    }

    @Test
    void framesThatWaitedAreAnsweredAtOnceAsOneArray() {
        write("{\"t\":\"hello\"}");
        write("{\"t\":\"msg\",\"seq\":1}");
        poll.flush();
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        assertAnswer(request, 1, "[{\"t\":\"hello\"},{\"t\":\"msg\",\"seq\":1}]");
        request.finishAndReleaseAll();
    }

    @Test
    void aPollWithNothingToSayIsAnsweredEmptyAtItsTimeout() {
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        tick(TIMEOUT_MS - 1);
        assertNull(request.readOutbound());
        tick(1);
        assertAnswer(request, 1, "[]");
        request.finishAndReleaseAll();
    }

    @Test
    void aFirstPollAfterAMoveWaitsForMoreThanItsHello() {
        EmbeddedChannel request = request();
        poll.hold(context(request), true, 2);
        write("{\"t\":\"hello\"}");
        poll.flush();
        assertNull(request.readOutbound(), "the hello alone would send the client on before any delivery");
        write("{\"t\":\"msg\",\"seq\":1}");
        poll.flush();
        assertAnswer(request, 1, "[{\"t\":\"hello\"},{\"t\":\"msg\",\"seq\":1}]");
        request.finishAndReleaseAll();
    }

    @Test
    void answersAreNumberedForTheNextPollToNameBack() {
        for (int n = 1; n <= 3; n++) {
            EmbeddedChannel request = request();
            poll.hold(context(request), true);
            tick(TIMEOUT_MS);
            assertAnswer(request, n, "[]");
            assertEquals(n, poll.answers());
            request.finishAndReleaseAll();
        }
    }

    @Test
    void theConnectionEndsWhenNoPollFollowsAnAnswerWithinTheLinger() {
        EmbeddedChannel first = request();
        poll.hold(context(first), true);
        tick(TIMEOUT_MS);
        assertAnswer(first, 1, "[]");
        first.finishAndReleaseAll();

        tick(LINGER_MS - 1);
        EmbeddedChannel second = request();
        poll.hold(context(second), true);
        tick(LINGER_MS);
        assertEquals(0, owner.lingerExpired, "a poll held within the linger keeps the connection");
        assertAnswer(second, 2, "[]");
        second.finishAndReleaseAll();

        tick(LINGER_MS);
        assertEquals(1, owner.lingerExpired);
    }

    @Test
    void aHeldPollWhoseRequestClosesStartsTheLinger() {
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        request.close();
        tick(0);
        tick(LINGER_MS);
        assertEquals(1, owner.lingerExpired);
        request.finishAndReleaseAll();
    }

    @Test
    void framesWaitingForAPollAreBoundedInBytes() {
        ByteBuf big = Unpooled.buffer(PollTransport.MAX_QUEUED_BYTES / 4).writeZero(PollTransport.MAX_QUEUED_BYTES / 4);
        for (int i = 0; i < 4; i++) {
            assertTrue(poll.isWritable(), "below the bound after " + i + " frames");
            poll.write(big.retainedDuplicate());
        }
        big.release();
        assertFalse(poll.isWritable(), "at the bound, deliveries pause until the next poll");
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        FullHttpResponse res = request.readOutbound();
        assertEquals(PollTransport.MAX_QUEUED_BYTES + 2 + 3, res.content().readableBytes());
        res.release();
        assertTrue(poll.isWritable());
        assertEquals(1, owner.writable);
        request.finishAndReleaseAll();
    }

    /** A frame is held in a buffer of its size, and counted at what it holds, node-wide too. */
    @Test
    void framesWaitInBuffersOfTheirSize() {
        ByteBuf pong = Unpooled.buffer(256).writeBytes("{\"t\":\"pong\"}".getBytes(StandardCharsets.UTF_8));
        poll.write(pong);
        assertEquals(0, pong.refCnt(), "the oversized buffer is given back at once");
        assertEquals(12, poll.pendingBytes());
        assertEquals(12, pending.sum());
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        assertAnswer(request, 1, "[{\"t\":\"pong\"}]");
        assertEquals(0, pending.sum());
        request.finishAndReleaseAll();
    }

    @Test
    void aCloseWithAPollHeldAnswersItWithTheCloseFrame() {
        EmbeddedChannel request = request();
        poll.hold(context(request), true);
        poll.close(CloseCode.TOKEN_EXPIRED, Unpooled.copiedBuffer("{\"t\":\"close\"}", StandardCharsets.UTF_8));
        assertAnswer(request, 1, "[{\"t\":\"close\"}]");
        assertNull(farewells.take("q-1", "conn-1"), "the client got the news: nothing is left for a later poll");
        tick(LINGER_MS);
        assertEquals(0, owner.lingerExpired, "a closed connection does not linger");
        request.finishAndReleaseAll();
    }

    @Test
    void aCloseWithNoPollHeldLeavesAFarewellForTheNextPoll() {
        write("{\"t\":\"msg\",\"seq\":1}");
        poll.close(CloseCode.ACK_TIMEOUT, Unpooled.copiedBuffer("{\"t\":\"close\"}", StandardCharsets.UTF_8));
        assertArrayEquals("{\"t\":\"close\"}".getBytes(StandardCharsets.UTF_8), farewells.take("q-1", "conn-1"));
        assertNull(farewells.take("q-1", "conn-1"), "a farewell is handed out once");
        EmbeddedChannel late = request();
        poll.hold(context(late), true);
        assertAnswer(late, 1, "[]");
        late.finishAndReleaseAll();
    }

    @Test
    void aCloseWithoutACodeLeavesNoFarewell() {
        poll.close(null, null);
        assertNull(farewells.take("q-1", "conn-1"));
        write("{\"t\":\"msg\",\"seq\":2}");
        EmbeddedChannel late = request();
        poll.hold(context(late), true);
        assertAnswer(late, 1, "[]");
        late.finishAndReleaseAll();
    }

    private void write(String json) {
        poll.write(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    }

    /** The connection of one poll request. */
    private static EmbeddedChannel request() {
        return new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    }

    private static ChannelHandlerContext context(EmbeddedChannel ch) {
        return ch.pipeline().firstContext();
    }

    private void tick(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
    }

    private static void assertAnswer(EmbeddedChannel request, long number, String body) {
        FullHttpResponse res = request.readOutbound();
        try {
            assertEquals(200, res.status().code());
            assertEquals("application/json", res.headers().get(HttpHeaderNames.CONTENT_TYPE));
            assertEquals(Long.toString(number), res.headers().get(PollTransport.ANSWER_HEADER));
            assertEquals(body, res.content().toString(StandardCharsets.UTF_8));
        } finally {
            res.release();
        }
    }

    private final class RecordingOwner implements PollTransport.Owner {
        int writable;
        int lingerExpired;

        @Override
        public EventLoop eventLoop() {
            return loop.eventLoop();
        }

        @Override
        public String queue() {
            return "q-1";
        }

        @Override
        public String connectionId() {
            return "conn-1";
        }

        @Override
        public void writabilityChanged() {
            writable++;
        }

        @Override
        public void lingerExpired() {
            lingerExpired++;
        }
    }
}
