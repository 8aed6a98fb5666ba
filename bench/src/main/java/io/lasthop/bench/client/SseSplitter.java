package io.lasthop.bench.client;

import java.util.Arrays;

/**
 * Splits a Server-Sent Events byte stream, fed in arbitrary chunks, into the data of each event:
 * {@code data:} lines joined by {@code \n}, dispatched at the blank line that ends the event.
 * Comments, {@code id:}, {@code retry:} and {@code event:} lines are skipped. Lines end with
 * {@code \n}, {@code \r\n} or {@code \r} (a lone {@code \r} split across chunks counts once).
 */
public final class SseSplitter {
    /** Receives one event's data; the array is only valid during the call. */
    public interface Sink {
        void onEvent(byte[] data, int len);
    }

    private static final int MAX_LINE = 1 << 20;

    private byte[] line = new byte[256];
    private int lineLen;
    private byte[] data = new byte[256];
    private int dataLen;
    private boolean hasData;
    private boolean lastWasCr;
    private boolean overflow;

    /** Feeds bytes; calls {@code sink} for every complete event. */
    public void feed(byte[] buf, int off, int len, Sink sink) {
        for (int i = off; i < off + len; i++) {
            byte b = buf[i];
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine(sink);
            } else if (lineLen < MAX_LINE) {
                if (lineLen == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLen++] = b;
            } else {
                overflow = true;
            }
        }
    }

    /** True if a line longer than 1 MiB was cut: its event is then corrupt. */
    public boolean overflowed() {
        return overflow;
    }

    private void endLine(Sink sink) {
        if (lineLen == 0) {
            if (hasData) {
                sink.onEvent(data, dataLen);
            }
            dataLen = 0;
            hasData = false;
            return;
        }
        if (startsWith("data")) {
            int from = 4;
            if (lineLen > 4 && line[4] == ':') {
                from = 5;
                if (lineLen > 5 && line[5] == ' ') {
                    from = 6;
                }
            } else if (lineLen > 4) {
                lineLen = 0; // a field named e.g. "database": not ours
                return;
            }
            if (hasData) {
                append((byte) '\n');
            }
            for (int k = from; k < lineLen; k++) {
                append(line[k]);
            }
            hasData = true;
        }
        lineLen = 0;
    }

    private boolean startsWith(String field) {
        if (lineLen < field.length()) {
            return false;
        }
        for (int k = 0; k < field.length(); k++) {
            if (line[k] != field.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void append(byte b) {
        if (dataLen == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[dataLen++] = b;
    }
}
