package io.lasthop.bench.client;

import java.net.InetAddress;

/** A session over {@code /lasthop/sse}: frames arrive as events (see {@link ChunkedResponseSession}). */
final class SseSession extends ChunkedResponseSession {
    private final SseSplitter splitter = new SseSplitter();
    private final SseSplitter.Sink frames = (data, len) -> onFrameBytes(data, 0, len);

    SseSession(ClientPool pool, String user, String token, InetAddress local) {
        super(pool, user, token, local);
    }

    @Override
    Transport transport() {
        return Transport.SSE;
    }

    @Override
    String path() {
        return "/lasthop/sse";
    }

    @Override
    String accept() {
        return "text/event-stream";
    }

    @Override
    void onChunk(byte[] buf, int off, int len) {
        splitter.feed(buf, off, len, frames);
    }
}
