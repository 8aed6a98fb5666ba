package io.lasthop.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How the fan-out scenario spreads N subscribers over T topics, and how it counts deliveries.
 * Subscriber j subscribes to topic {@code j mod T} and holds slot {@code j / T} in it, so a topic
 * has ⌈N/T⌉ or ⌊N/T⌋ subscribers. Message n reaching the subscriber in slot s is ledger index
 * {@code n × width + s}, with width = ⌈N/T⌉: message n goes to one topic, so this is one bit per
 * (message, subscriber) pair, numbered alike in every process, and the bit-set {@link Ledger}
 * counts loss and duplicates per delivery while the processes' counts still add up. The slots a
 * smaller topic leaves empty are never set, and never expected.
 */
public record Fanout(int subscribers, int topics) {
    public Fanout {
        if (topics < 1 || subscribers < topics) {
            throw new IllegalArgumentException(
                    "every topic needs a subscriber: " + subscribers + " subscribers, " + topics + " topics");
        }
    }

    /** Slots per message in the ledger: the subscribers of the largest topic. */
    public int width() {
        return (subscribers + topics - 1) / topics;
    }

    public int topicOf(int subscriber) {
        return subscriber % topics;
    }

    public int slotOf(int subscriber) {
        return subscriber / topics;
    }

    public int subscribersOf(int topic) {
        return subscribers / topics + (topic < subscribers % topics ? 1 : 0);
    }

    /** Ledger bits a phase of {@code messages} messages needs. */
    public long ledgerSize(int messages) {
        return (long) messages * width();
    }

    /**
     * Deliveries a phase must make: every subscriber of its topic, for each message the broker
     * confirmed. The plan's destinations are topic indexes; messages are sent in plan order, so
     * the first {@code sent} went out, and {@code notConfirmed} (ascending indexes) lists those
     * the broker nacked or never confirmed.
     */
    public long expected(Schedule.Plan plan, long sent, int[] notConfirmed) {
        long total = 0;
        int skip = 0;
        for (int i = 0; i < sent; i++) {
            if (skip < notConfirmed.length && notConfirmed[skip] == i) {
                skip++;
                continue;
            }
            total += subscribersOf(plan.user()[i]);
        }
        return total;
    }

    /**
     * Topic k of a peer in a run, {@code bench.<run>.<peer>.t<k>}. Each peer has its own topics, so
     * publishing to one peer's subscribers never reaches the other's, which stay subscribed.
     */
    public static String topic(String runId, String peer, int k) {
        return "bench." + word(runId) + "." + word(peer) + ".t" + k;
    }

    /** The subscribe pattern the peer's tokens carry: every topic of the peer in the run, and nothing else. */
    public static String grant(String runId, String peer) {
        return "bench." + word(runId) + "." + word(peer) + ".*";
    }

    /** A peer's topics, by index: the routing keys the publisher uses. */
    public List<String> topicNames(String runId, String peer) {
        List<String> out = new ArrayList<>(topics);
        for (int k = 0; k < topics; k++) {
            out.add(topic(runId, peer, k));
        }
        return out;
    }

    /** One literal word of an AMQP topic: no dot, no wildcard. */
    private static String word(String s) {
        if (!s.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("not a topic word ([A-Za-z0-9_-]+): \"" + s + "\"");
        }
        return s;
    }

    /** What subscriber j of {@code users} subscribes to, and where its deliveries are counted. */
    public List<Subscriber> subscribers(List<String> users, String runId, String peer) {
        if (users.size() != subscribers) {
            throw new IllegalArgumentException(users.size() + " users for " + subscribers + " subscribers");
        }
        List<Subscriber> out = new ArrayList<>(subscribers);
        for (int j = 0; j < subscribers; j++) {
            out.add(new Subscriber(users.get(j), topic(runId, peer, topicOf(j)), slotOf(j), width()));
        }
        return out;
    }

    /** One subscriber: its user, its topic, its slot among the topic's subscribers, and the ledger width. */
    public record Subscriber(String user, String topic, int slot, int width) {
        public Subscriber {
            if (slot < 0 || slot >= width) {
                throw new IllegalArgumentException("slot " + slot + " outside width " + width);
            }
        }

        /**
         * The ledger index of message {@code n}, which arrived with routing key {@code key}, for this
         * subscriber; -1 (not ours, counted as foreign) when n is not a message number, when it is so
         * large that the index would overflow, or when the key is not this subscriber's topic: a
         * misrouted message would otherwise take the slot of a subscriber of the right topic.
         */
        public long ledgerIndex(String key, long n) {
            return n < 0 || n >= Long.MAX_VALUE / width || !topic.equals(key) ? -1 : n * width + slot;
        }
    }
}
