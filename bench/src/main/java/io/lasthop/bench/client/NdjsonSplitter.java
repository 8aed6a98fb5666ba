package io.lasthop.bench.client;

import java.util.Arrays;

/**
 * Splits the stream transport's body ({@code application/x-ndjson}), fed in arbitrary chunks, into
 * its lines: one frame each, ended by {@code \n}. Lines holding only whitespace, such as the
 * edge's 2 KiB padding line, are skipped; a {@code \r} before the {@code \n} stays in the line,
 * where JSON ignores it. A line inside one chunk is handed on in place; only a line that spans
 * chunks is copied, so the body is never buffered beyond its current line.
 */
public final class NdjsonSplitter {
    /** Receives one line, without its {@code \n}; the array is only valid during the call. */
    public interface Sink {
        void onLine(byte[] buf, int off, int len);
    }

    private static final int MAX_LINE = 1 << 20;

    private byte[] partial = new byte[256];
    private int partialLen;

    /** Feeds bytes; calls {@code sink} for every complete line that is not blank. */
    public void feed(byte[] buf, int off, int len, Sink sink) {
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (partialLen > 0) {
                append(buf, start, i - start);
                emit(partial, 0, partialLen, sink);
                partialLen = 0;
            } else {
                emit(buf, start, i - start, sink);
            }
            start = i + 1;
        }
        append(buf, start, end - start);
    }

    /**
     * Keeps the start of a line that continues in the next chunk. A line past 1 MiB is cut there:
     * its frame then fails to parse, which the session counts.
     */
    private void append(byte[] buf, int off, int len) {
        int room = MAX_LINE - partialLen;
        int n = Math.min(len, room);
        if (n <= 0) {
            return;
        }
        if (partialLen + n > partial.length) {
            partial = Arrays.copyOf(partial, Math.min(MAX_LINE, Math.max(partialLen + n, partial.length * 2)));
        }
        System.arraycopy(buf, off, partial, partialLen, n);
        partialLen += n;
    }

    private static void emit(byte[] buf, int off, int len, Sink sink) {
        for (int i = off; i < off + len; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                sink.onLine(buf, off, len);
                return;
            }
        }
    }
}
