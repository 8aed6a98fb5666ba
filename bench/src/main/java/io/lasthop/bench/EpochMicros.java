package io.lasthop.bench;

import java.time.Instant;

/**
 * Wall-clock time in epoch microseconds. The publisher and the clients run on the same host, so
 * they read the same kernel clock (CLOCK_REALTIME, microsecond resolution through {@link Instant}),
 * even from different processes. {@code System.nanoTime} would not do: its origin differs per JVM.
 */
public final class EpochMicros {
    private EpochMicros() {}

    public static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }
}
