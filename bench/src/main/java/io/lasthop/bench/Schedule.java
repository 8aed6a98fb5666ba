package io.lasthop.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The publisher's fixed, seeded plan. For a phase of a given rate step and round, it fixes which
 * user (for fan-out: which topic) each message goes to and its payload size. The A and B phases of one step and round (the
 * edge and its baseline) get the very same plan, and the same seed gives the same plan on every
 * run.
 */
public final class Schedule {
    private final long seed;
    private final int users;
    private final int[] sizes;

    public Schedule(long seed, int users, int[] sizes) {
        if (users < 1) {
            throw new IllegalArgumentException("users must be at least 1");
        }
        if (sizes.length == 0) {
            throw new IllegalArgumentException("at least one payload size");
        }
        this.seed = seed;
        this.users = users;
        this.sizes = sizes.clone();
    }

    /** The plan of {@code count} messages for one (step, round). */
    public Plan plan(int step, int round, int rate, int count) {
        if (rate < 1 || count < 0) {
            throw new IllegalArgumentException("rate must be positive and count non-negative");
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, step, round));
        int[] user = new int[count];
        int[] size = new int[count];
        for (int i = 0; i < count; i++) {
            user[i] = rng.nextInt(users);
            size[i] = sizes[rng.nextInt(sizes.length)];
        }
        return new Plan(rate, user, size);
    }

    static long mix(long seed, int step, int round) {
        long z = seed + 0x9E3779B97F4A7C15L * (1 + step) + 0xBF58476D1CE4E5B9L * (1 + round);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Message i goes to user {@code user[i]} with a body of {@code size[i]} bytes, at {@code rate}/s. */
    /** One message of {@code size} bytes to each of {@code users} users in turn, at {@code rate}/s. */
    public static Plan each(int users, int rate, int size) {
        int[] user = new int[users];
        int[] sizes = new int[users];
        for (int i = 0; i < users; i++) {
            user[i] = i;
            sizes[i] = size;
        }
        return new Plan(rate, user, sizes);
    }

    public record Plan(int rate, int[] user, int[] size) {
        public int count() {
            return user.length;
        }

        /** When message i is due, in nanoseconds from the phase start. */
        public long dueNanos(int i) {
            return (long) i * 1_000_000_000L / rate;
        }

        public long totalBytes() {
            long t = 0;
            for (int s : size) {
                t += s;
            }
            return t;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Plan p && p.rate == rate && Arrays.equals(p.user, user) && Arrays.equals(p.size, size);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * rate + Arrays.hashCode(user)) + Arrays.hashCode(size);
        }
    }
}
