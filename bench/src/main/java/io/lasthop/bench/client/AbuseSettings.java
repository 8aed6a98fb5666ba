package io.lasthop.bench.client;

/**
 * How hard the abusive clients push, and their bounds: every loop of an abuser is bounded in count
 * (pings, GETs and connections per abuser) and in time (the mix's deadline).
 *
 * @param tickMs                 period of every abuser's sending, in milliseconds
 * @param pingsPerTick           pings a pinger sends per tick: frames on its WebSocket, or one POST
 *                               of a JSON array of that many (one POST in flight; a tick with a POST
 *                               still unanswered sends nothing)
 * @param getsPerTick            GET requests a pipeliner writes per tick
 * @param maxPingsPerConnection  pings one connection of a pinger sends at most
 * @param maxGetsPerConnection   GETs one connection of a pipeliner sends at most
 * @param reconnectDelayMs       pause before an abuser whose connection ended opens the next one
 * @param maxConnections         connections one abuser opens at most, its first included
 * @param getPath                what a pipeliner asks for, e.g. {@code /metrics}
 */
public record AbuseSettings(
        long tickMs,
        int pingsPerTick,
        int getsPerTick,
        long maxPingsPerConnection,
        int maxGetsPerConnection,
        long reconnectDelayMs,
        int maxConnections,
        String getPath) {
    /**
     * 1,000 pings/s per pinger, 10 GETs/s per pipeliner: 60,000 pings/s from the 60 pingers of a
     * 100-client mix, which keeps a 2-core machine's edge below one core. At 4,000 pings/s each
     * (the rate at which an abandoned long-poll's pongs pass the 1 MiB output bound before
     * {@code poll.linger} ends it) the machine ran out of CPU and the test measured only that.
     */
    public static final AbuseSettings DEFAULT =
            new AbuseSettings(100, 100, 1, 2_000_000, 20_000, 1_000, 40, "/metrics");

    public AbuseSettings {
        if (tickMs < 1 || pingsPerTick < 0 || getsPerTick < 0 || maxConnections < 1 || reconnectDelayMs < 0) {
            throw new IllegalArgumentException("tick and connections must be positive, counts not negative");
        }
        if (!getPath.startsWith("/")) {
            throw new IllegalArgumentException("the GET path must start with /: " + getPath);
        }
    }
}
