package io.lasthop.bench.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.lasthop.bench.EpochMicros;
import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledgers;
import io.lasthop.bench.MessageIds;
import io.lasthop.bench.Payloads;
import io.lasthop.bench.client.AckBatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One consumer of the raw-AMQP peer: records each delivery in its phase's ledger (by message
 * number, or in its subscriber's slots) and acks like the browser client ({@link AckBatcher}):
 * cumulatively on a channel of its own, each delivery on its own on a shared channel.
 */
final class RawConsumer extends DefaultConsumer {
    final String queue;
    private final Fanout.Subscriber subscriber;
    private final Ledgers ledgers;
    private final boolean sharedChannel;
    private final ScheduledExecutorService timers;
    private final long ackDelayMs;
    private final AckBatcher acks = new AckBatcher();
    /** Tags to ack one by one, on a shared channel. */
    private final List<Long> single = new ArrayList<>();

    /**
     * @param subscriber null: deliveries are counted by message number
     * @param timers     runs the delayed acks
     */
    RawConsumer(
            Channel ch,
            String queue,
            Fanout.Subscriber subscriber,
            Ledgers ledgers,
            boolean sharedChannel,
            ScheduledExecutorService timers,
            long ackDelayMs) {
        super(ch);
        this.queue = queue;
        this.subscriber = subscriber;
        this.ledgers = ledgers;
        this.sharedChannel = sharedChannel;
        this.timers = timers;
        this.ackDelayMs = ackDelayMs;
    }

    @Override
    public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
        long now = EpochMicros.now();
        String id = props.getMessageId();
        long n = MessageIds.number(id);
        long index = subscriber == null ? n : subscriber.ledgerIndex(env.getRoutingKey(), n);
        ledgers.record(MessageIds.phase(id), index, Payloads.sentUs(body, 0, body.length), now);
        AckBatcher.Action a;
        synchronized (this) {
            if (sharedChannel) {
                single.add(env.getDeliveryTag());
            }
            a = acks.onMessage(env.getDeliveryTag());
        }
        switch (a) {
            case ACK_NOW -> flush();
            case ARM_TIMER -> timers.schedule(this::flush, ackDelayMs, TimeUnit.MILLISECONDS);
            case NONE -> {}
        }
    }

    private void flush() {
        long tag;
        List<Long> each = List.of();
        synchronized (this) {
            tag = acks.take();
            if (!single.isEmpty()) {
                each = new ArrayList<>(single);
                single.clear();
            }
        }
        if (tag > 0 && getChannel().isOpen()) {
            try {
                if (!sharedChannel) {
                    getChannel().basicAck(tag, true);
                } else {
                    for (long t : each) {
                        getChannel().basicAck(t, false);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the channel closed: its deliveries are requeued
            }
        }
    }
}
