package io.lasthop.bench.client;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Spreads client connections over loopback source addresses 127.0.0.1, 127.0.0.2, … so that no
 * (source address, destination) pair needs more ephemeral ports than the kernel has (28,232 with
 * the default {@code ip_local_port_range} 32768–60999). Connection k of a process uses address
 * {@code 1 + (base + k) / perAddress}; {@code base} lets several processes use disjoint ranges.
 * When every connection of the run fits under one address, nothing is bound and the kernel picks.
 */
public final class SourceAddresses {
    /** Connections per source address: under the 28,232 ports of the default range, with room. */
    public static final int DEFAULT_PER_ADDRESS = 25_000;

    private final boolean spread;
    private final int perAddress;
    private final long base;

    public SourceAddresses(long totalConnectionsOfRun, int perAddress, long base) {
        if (perAddress < 1) {
            throw new IllegalArgumentException("perAddress must be positive");
        }
        this.spread = totalConnectionsOfRun > perAddress;
        this.perAddress = perAddress;
        this.base = base;
        long last = 1 + (base + Math.max(totalConnectionsOfRun - 1, 0)) / perAddress;
        if (spread && last > 254) {
            throw new IllegalArgumentException("too many connections for 127.0.0.1-254: " + totalConnectionsOfRun);
        }
    }

    public boolean spread() {
        return spread;
    }

    /** The last octet of connection k's source address, or 0 when nothing is bound. */
    public int octet(long k) {
        if (!spread) {
            return 0;
        }
        long o = 1 + (base + k) / perAddress;
        if (o > 254) {
            throw new IllegalStateException("connection " + k + " is past 127.0.0.254");
        }
        return (int) o;
    }

    /** Connection k's source address, or null when nothing is bound. */
    public InetAddress address(long k) {
        int o = octet(k);
        if (o == 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) o});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
