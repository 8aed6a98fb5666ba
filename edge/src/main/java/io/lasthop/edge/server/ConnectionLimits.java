package io.lasthop.edge.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many client connections a node holds, and how many of them carry no session yet, each
 * bounded below the file limit: past the bounds a new connection is refused at once, so the node
 * keeps file descriptors for its broker connections and keeps answering the sessions it has.
 * Thread-safe.
 */
final class ConnectionLimits {
    /** File descriptors kept for the broker connections, the listeners, logs and the JVM. */
    static final int RESERVED_FILES = 128;

    private final int maxConnections;
    private final int maxUnauthenticated;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    ConnectionLimits(int maxConnections, int maxUnauthenticated) {
        this.maxConnections = maxConnections;
        this.maxUnauthenticated = maxUnauthenticated;
    }

    /** limits.connections, or what the file limit leaves when it is 0. */
    static int maxConnections(EdgeConfig config) {
        int max = config.get(Settings.MAX_CONNECTIONS);
        if (max == 0) {
            long files = fileLimit();
            max = (int) Math.max(16, Math.min(Integer.MAX_VALUE, files - Math.max(RESERVED_FILES, files / 20)));
        }
        return max;
    }

    static ConnectionLimits of(EdgeConfig config, EdgeMetrics metrics) {
        int max = maxConnections(config);
        int unauthenticated = config.get(Settings.MAX_UNAUTHENTICATED);
        ConnectionLimits limits =
                new ConnectionLimits(max, unauthenticated == 0 ? Math.max(1, max / 2) : Math.min(unauthenticated, max));
        metrics.bindConnectionLimits(limits.open::get, limits.unauthenticated::get, max, limits::pendingOutputBytes);
        return limits;
    }

    /** The process's file limit, or a conservative guess where the JVM cannot tell. */
    static long fileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 4096;
    }

    int maxConnections() {
        return maxConnections;
    }

    /** Bytes written to this listener's clients and not yet taken by them, summed at each call. */
    long pendingOutputBytes() {
        long sum = 0;
        for (Channel c : channels) {
            ChannelOutboundBuffer out = c.unsafe().outboundBuffer();
            sum += out == null ? 0 : out.totalPendingWriteBytes();
        }
        return sum;
    }

    /** Counts a new connection, unauthenticated; false (and nothing counted) when a bound is reached. */
    boolean tryOpen(Channel channel) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return false;
        }
        if (unauthenticated.incrementAndGet() > maxUnauthenticated) {
            unauthenticated.decrementAndGet();
            open.decrementAndGet();
            return false;
        }
        channels.add(channel);
        return true;
    }

    void authenticated() {
        unauthenticated.decrementAndGet();
    }

    void closed(boolean wasAuthenticated) {
        if (!wasAuthenticated) {
            unauthenticated.decrementAndGet();
        }
        open.decrementAndGet();
    }
}
