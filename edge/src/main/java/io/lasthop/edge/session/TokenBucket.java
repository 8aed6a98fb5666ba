package io.lasthop.edge.session;

/** A token bucket of {@code capacity}, refilled at {@code ratePerSecond}. Not thread-safe. */
public final class TokenBucket {
    private final double capacity;
    private final double perNano;
    private final int rate;
    private double tokens;
    private long last;

    public TokenBucket(int ratePerSecond, int capacity, long nowNanos) {
        this.capacity = capacity;
        this.rate = ratePerSecond;
        this.perNano = ratePerSecond / 1e9;
        this.tokens = capacity;
        this.last = nowNanos;
    }

    public int rate() {
        return rate;
    }

    public boolean tryTake(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
