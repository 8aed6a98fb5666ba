package io.lasthop.bench.scenario;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Schedule;
import io.lasthop.bench.amqp.Publisher;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.util.List;

/** Where a {@link Phase}'s plan goes, and what it must deliver. */
interface PhaseTarget {
    Publisher.Result publish(Publisher pub, int phase, Schedule.Plan plan, long maxNanos)
            throws IOException, InterruptedException;

    /** Ledger bits the phase needs. */
    long ledgerSize(Schedule.Plan plan);

    /** Deliveries the phase must make, once the broker has confirmed what it could. */
    long expected(Schedule.Plan plan, Publisher.Result published);

    /** Message i to user {@code plan.user()[i]}: one delivery per confirmed message. */
    static PhaseTarget toUsers(List<String> users) {
        return new PhaseTarget() {
            @Override
            public Publisher.Result publish(Publisher pub, int phase, Schedule.Plan plan, long maxNanos)
                    throws IOException, InterruptedException {
                return pub.publish(phase, plan, users, maxNanos);
            }

            @Override
            public long ledgerSize(Schedule.Plan plan) {
                return plan.count();
            }

            @Override
            public long expected(Schedule.Plan plan, Publisher.Result published) {
                return published.confirmed();
            }
        };
    }

    /** Message i to the topic {@code plan.user()[i]}: one delivery per subscriber of it, per confirmed message. */
    static PhaseTarget toTopics(Fanout fanout, List<String> topicNames) {
        return new PhaseTarget() {
            @Override
            public Publisher.Result publish(Publisher pub, int phase, Schedule.Plan plan, long maxNanos)
                    throws IOException, InterruptedException {
                return pub.publish(phase, plan, AmqpNames.TOPIC_EXCHANGE, topicNames, maxNanos);
            }

            @Override
            public long ledgerSize(Schedule.Plan plan) {
                return fanout.ledgerSize(plan.count());
            }

            @Override
            public long expected(Schedule.Plan plan, Publisher.Result published) {
                return fanout.expected(plan, published.sent(), published.notConfirmed());
            }
        };
    }
}
