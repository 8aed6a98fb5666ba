package io.lasthop.bench.client;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Ledgers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Sessions held in this process. */
public final class LocalClientGroup implements ClientGroup {
    private final Ledgers ledgers;
    private final ClientPool pool;

    ClientPool pool() {
        return pool;
    }

    public LocalClientGroup(ClientPool pool, Ledgers ledgers) {
        this.pool = pool;
        this.ledgers = ledgers;
    }

    @Override
    public ConnectReport connect(List<String> users, Transport transport, int concurrency, Duration timeout)
            throws InterruptedException {
        return pool.connectAll(users, transport, concurrency, timeout);
    }

    @Override
    public int dropAll(Duration timeout) {
        return pool.dropAll(timeout);
    }

    @Override
    public ConnectReport resumeAll(int concurrency, Duration timeout) throws InterruptedException {
        return pool.resumeAll(concurrency, timeout);
    }

    @Override
    public ConnectReport subscribe(List<Fanout.Subscriber> subscribers, int concurrency, Duration timeout)
            throws InterruptedException {
        return pool.subscribeAll(subscribers, concurrency, timeout);
    }

    @Override
    public void openPhase(int phase, long expected) {
        if (ledgers.get(phase) == null) {
            ledgers.open(phase, expected);
        }
    }

    @Override
    public Ledger.Counts counts(int phase) {
        Ledger l = ledgers.get(phase);
        return l == null ? new Ledger.Counts(0, 0, 0, 0, 0) : l.counts();
    }

    @Override
    public Histogram histogram(int phase) {
        Ledger l = ledgers.get(phase);
        return l == null ? new Histogram(1, Ledger.MAX_LATENCY_US, 3) : l.histogram();
    }

    @Override
    public void closePhase(int phase) {
        ledgers.close(phase);
    }

    @Override
    public int closeAll(Duration timeout) {
        return pool.closeAll(timeout);
    }

    @Override
    public List<String> sessionQueues() {
        return pool.sessionQueues();
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>(pool.stats().snapshot());
        m.put("open_sessions", pool.sessions().size());
        m.put("strays", ledgers.strays());
        m.put("epoll", pool.epoll());
        return m;
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public void close() {
        pool.close();
    }
}
