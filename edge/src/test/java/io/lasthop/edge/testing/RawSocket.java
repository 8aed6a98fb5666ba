package io.lasthop.edge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client that speaks bytes, as an attacker would: it writes what it likes, reads only when told,
 * and can shrink its receive buffer so that the edge feels a client that does not read at once.
 * Every call is bounded in time.
 */
public final class RawSocket implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;

    private RawSocket(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.selector = Selector.open();
        channel.configureBlocking(false);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's default */
    public static RawSocket connect(int port, int receiveBuffer) throws IOException {
        SocketChannel ch = SocketChannel.open();
        if (receiveBuffer > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        }
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        return new RawSocket(ch);
    }

    /** Writes all of {@code text}, or fails after {@code timeout}. */
    public void write(String text, Duration timeout) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8), timeout);
    }

    public void write(byte[] bytes, Duration timeout) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the peer took only " + buf.position() + " of " + bytes.length + " bytes");
                }
                waitFor(SelectionKey.OP_WRITE, 50);
            }
        }
    }

    /**
     * Writes {@code unit} over and over without reading, until the peer stops taking bytes for
     * {@code stall}, {@code maxBytes} are written, or {@code deadline} passes.
     *
     * @return how many bytes the peer took
     */
    public long writeUntilStalled(byte[] unit, long maxBytes, Duration stall, Duration deadline) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(unit);
        long written = 0;
        long end = System.nanoTime() + deadline.toNanos();
        long stalledSince = -1;
        while (written < maxBytes && System.nanoTime() < end) {
            if (!buf.hasRemaining()) {
                buf.rewind();
            }
            int n;
            try {
                n = channel.write(buf);
            } catch (IOException e) {
                return written; // the peer closed the connection
            }
            if (n > 0) {
                written += n;
                stalledSince = -1;
            } else if (stalledSince < 0) {
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > stall.toNanos()) {
                return written;
            } else {
                waitFor(SelectionKey.OP_WRITE, 20);
            }
        }
        return written;
    }

    /** Reads until {@code needle} has arrived, the peer closes, or {@code timeout}; returns what was read. */
    public String readUntil(String needle, Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(16384);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            buf.clear();
            int n = channel.read(buf);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                waitFor(SelectionKey.OP_READ, 20);
                continue;
            }
            out.write(buf.array(), 0, n);
            if (needle != null && out.toString(StandardCharsets.UTF_8).contains(needle)) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Reads and keeps everything until the peer closes; null if it has not closed by {@code timeout}. */
    public String readToEnd(Duration timeout) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(65536);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            buf.clear();
            int n;
            try {
                n = channel.read(buf);
            } catch (IOException e) {
                return out.toString(StandardCharsets.UTF_8); // reset by the peer: closed too
            }
            if (n < 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            if (n == 0) {
                waitFor(SelectionKey.OP_READ, 20);
            } else {
                out.write(buf.array(), 0, n);
            }
        }
        return null;
    }

    private void waitFor(int op, long millis) throws IOException {
        SelectionKey key = channel.register(selector, op);
        selector.select(millis);
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
