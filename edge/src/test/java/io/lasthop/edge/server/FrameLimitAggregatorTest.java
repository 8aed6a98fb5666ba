package io.lasthop.edge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameLimitAggregatorTest {
    private static final int LIMIT = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameLimitAggregator(LIMIT));

    @Test
    void smallRequestPassesThroughAggregated() {
        HttpRequest req = post();
        HttpUtil.setContentLength(req, 9);
        assertTrue(channel.writeInbound(req, content("[{\"t\":"), last("1}]")));

        FullHttpRequest full = channel.readInbound();
        try {
            assertEquals(HttpMethod.POST, full.method());
            assertEquals("/lasthop/frames?session=x", full.uri());
            assertEquals("[{\"t\":1}]", full.content().toString(StandardCharsets.UTF_8));
        } finally {
            full.release();
        }
        assertNull(channel.readOutbound());
        assertTrue(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void requestOfExactlyTheLimitPasses() {
        HttpRequest req = post();
        HttpUtil.setContentLength(req, LIMIT);
        channel.writeInbound(req, last("x".repeat(LIMIT)));
        FullHttpRequest full = channel.readInbound();
        try {
            assertEquals(LIMIT, full.content().readableBytes());
        } finally {
            full.release();
        }
        assertNull(channel.readOutbound());
        assertFalse(channel.finish());
    }

    @Test
    void declaredOversizedBodyGetsJson413AndClose() throws IOException {
        HttpRequest req = post();
        HttpUtil.setContentLength(req, 1000);
        HttpContent body = content("x".repeat(LIMIT));
        channel.writeInbound(req, body);

        assertTooLarge(channel.readOutbound());
        assertEquals(0, body.refCnt(), "the discarded body is released");
        assertNull(channel.readInbound(), "nothing reaches the router");
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void chunkedBodyGrowingPastTheLimitGetsJson413AndClose() throws IOException {
        HttpRequest req = post();
        HttpUtil.setTransferEncodingChunked(req, true);
        HttpContent first = content("x".repeat(60));
        HttpContent second = content("y".repeat(60));
        channel.writeInbound(req, first, second);

        assertTooLarge(channel.readOutbound());
        assertEquals(0, first.refCnt());
        assertEquals(0, second.refCnt());
        assertNull(channel.readInbound());
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    /** curl sends Expect: 100-continue for large bodies; its 413 must carry the same JSON error. */
    @Test
    void oversizedBodyAnnouncedWithExpectContinueGetsJson413() throws IOException {
        HttpRequest req = post();
        HttpUtil.setContentLength(req, 1000);
        req.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        channel.writeInbound(req);

        FullHttpResponse res = channel.readOutbound();
        try {
            assertEquals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, res.status());
            assertErrorBody(res);
        } finally {
            res.release();
        }
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void smallBodyAnnouncedWithExpectContinueGetsContinue() {
        HttpRequest req = post();
        HttpUtil.setContentLength(req, 2);
        req.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        channel.writeInbound(req);
        FullHttpResponse cont = channel.readOutbound();
        try {
            assertEquals(HttpResponseStatus.CONTINUE, cont.status());
        } finally {
            cont.release();
        }
        channel.writeInbound(last("[]"));
        FullHttpRequest full = channel.readInbound();
        try {
            assertEquals("[]", full.content().toString(StandardCharsets.UTF_8));
        } finally {
            full.release();
        }
        assertFalse(channel.finish());
    }

    private static void assertTooLarge(Object out) throws IOException {
        FullHttpResponse res = (FullHttpResponse) out;
        try {
            assertEquals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, res.status());
            assertEquals(HttpHeaderValues.CLOSE.toString(), res.headers().get(HttpHeaderNames.CONNECTION));
            assertErrorBody(res);
        } finally {
            res.release();
        }
    }

    private static void assertErrorBody(FullHttpResponse res) throws IOException {
        assertEquals("application/json", res.headers().get(HttpHeaderNames.CONTENT_TYPE));
        assertEquals(res.content().readableBytes(), HttpUtil.getContentLength(res));
        JsonNode body = JSON.readTree(res.content().toString(StandardCharsets.UTF_8));
        assertEquals("frame_too_large", body.path("error").textValue());
        assertTrue(body.path("message").textValue().contains(Integer.toString(LIMIT)), body.toString());
    }

    private static HttpRequest post() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/lasthop/frames?session=x");
    }

    private static HttpContent content(String s) {
        return new DefaultHttpContent(buf(s));
    }

    private static LastHttpContent last(String s) {
        return new DefaultLastHttpContent(buf(s));
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
