package io.lasthop.bench.client;

import java.net.InetAddress;

/**
 * A session over {@code /lasthop/stream}: newline-delimited JSON, one frame per line, split as
 * the chunks arrive (see {@link ChunkedResponseSession}).
 */
final class StreamSession extends ChunkedResponseSession {
    private final NdjsonSplitter splitter = new NdjsonSplitter();
    private final NdjsonSplitter.Sink frames = this::onFrameBytes;

    StreamSession(ClientPool pool, String user, String token, InetAddress local) {
        super(pool, user, token, local);
    }

    @Override
    Transport transport() {
        return Transport.STREAM;
    }

    @Override
    String path() {
        return "/lasthop/stream";
    }

    @Override
    String accept() {
        return "application/x-ndjson";
    }

    @Override
    void onChunk(byte[] buf, int off, int len) {
        splitter.feed(buf, off, len, frames);
    }
}
