package io.lasthop.bench.client;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Sessions held by one load-generator process: this one ({@link LocalClientGroup}) or a child JVM
 * ({@link RemoteClientGroup}), so one run can hold more sockets than one process may open.
 */
public interface ClientGroup extends AutoCloseable {
    ConnectReport connect(List<String> users, Transport transport, int concurrency, Duration timeout) throws Exception;

    /** Drops every open session as a network loss would; returns how many. */
    int dropAll(Duration timeout) throws Exception;

    /** Resumes every dropped session at once; a session not resumed counts as a failure. */
    ConnectReport resumeAll(int concurrency, Duration timeout) throws Exception;

    /** Subscribes the sessions of these subscribers' users, which this group holds (see {@link ClientPool#subscribeAll}). */
    ConnectReport subscribe(List<Fanout.Subscriber> subscribers, int concurrency, Duration timeout) throws Exception;

    void openPhase(int phase, long expected) throws Exception;

    Ledger.Counts counts(int phase) throws Exception;

    Histogram histogram(int phase) throws Exception;

    void closePhase(int phase) throws Exception;

    /** Closes every session; returns how many had not closed within the timeout. */
    int closeAll(Duration timeout) throws Exception;

    List<String> sessionQueues() throws Exception;

    Map<String, Object> stats() throws Exception;

    long pid();

    @Override
    void close();
}
