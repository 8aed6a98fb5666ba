package io.lasthop.bench.client;

import io.lasthop.bench.Fanout;
import io.lasthop.bench.Ledger;
import io.lasthop.bench.Ledgers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * All load-generator processes of a run: this one first, then child JVMs, each given at most
 * {@code sessionsPerProcess} sessions so no process passes its open-file limit. Each process gets
 * its own range of source addresses.
 */
public final class Fleet implements AutoCloseable {
    /** How to start a child worker. */
    public record WorkerSpec(List<String> jvmArgs, List<String> baseArgs, Path logDir) {}

    private final LocalClientGroup local;
    private final List<ClientGroup> groups = new ArrayList<>();
    private final List<Integer> load = new ArrayList<>();
    /** The users each group was given to connect, so a per-session request goes to the right process. */
    private final List<Set<String>> members = new ArrayList<>();

    private final int sessionsPerProcess;
    private int localCapacity;
    private final int socketsPerSession;
    private final WorkerSpec spec;
    private final long totalConnections;
    private final int perAddress;

    /**
     * @param subscribeGrants topic patterns the sessions' tokens allow {@code sub} to; the spec's
     *                        worker arguments must pass the same ({@code --subscribe-grants})
     */
    public Fleet(
            String host,
            int port,
            byte[] secret,
            Duration tokenTtl,
            Ledgers ledgers,
            long totalSessions,
            int socketsPerSession,
            int sessionsPerProcess,
            int perAddress,
            int threads,
            long ackDelayMs,
            List<String> subscribeGrants,
            WorkerSpec spec) {
        this.sessionsPerProcess = sessionsPerProcess;
        this.localCapacity = sessionsPerProcess;
        this.socketsPerSession = socketsPerSession;
        this.spec = spec;
        this.perAddress = perAddress;
        this.totalConnections = totalSessions * socketsPerSession;
        SourceAddresses sources = new SourceAddresses(totalConnections, perAddress, 0);
        local = new LocalClientGroup(
                new ClientPool(host, port, secret, tokenTtl, ledgers, sources, threads)
                        .ackDelayMs(ackDelayMs)
                        .grantSubscribe(subscribeGrants),
                ledgers);
        groups.add(local);
        load.add(0);
        members.add(new HashSet<>());
    }

    /**
     * Sessions this process may hold itself, at most {@code sessionsPerProcess}: with several
     * fleets in one run (one per edge), each keeps its sessions in workers of its own, so this
     * process does not pass its file limit.
     */
    public Fleet localCapacity(int sessions) {
        this.localCapacity = Math.min(sessions, sessionsPerProcess);
        return this;
    }

    /**
     * Configures this process's client pool (TLS, HTTP/2); child workers are not configured, so a
     * fleet configured this way must hold every session here ({@link #localCapacity}).
     */
    public Fleet configureLocal(java.util.function.Consumer<ClientPool> c) {
        c.accept(local.pool());
        return this;
    }

    /** This process's sessions. */
    public ClientPool localPool() {
        return local.pool();
    }

    public List<ClientGroup> groups() {
        return groups;
    }

    public List<Long> pids() {
        return groups.stream().map(ClientGroup::pid).toList();
    }

    /**
     * Connects every user, filling this process first and starting workers as needed; the groups
     * connect in parallel.
     */
    public ConnectReport connect(List<String> users, Transport transport, int concurrency, Duration timeout)
            throws Exception {
        List<List<String>> parts = new ArrayList<>();
        int next = 0;
        for (int g = 0; next < users.size(); g++) {
            if (g == groups.size()) {
                int index = groups.size();
                List<String> args = new ArrayList<>(spec.baseArgs());
                args.addAll(List.of(
                        "--source-base",
                        Long.toString((long) index * sessionsPerProcess * socketsPerSession),
                        "--total-connections",
                        Long.toString(totalConnections),
                        "--per-address",
                        Integer.toString(perAddress)));
                groups.add(new RemoteClientGroup(
                        spec.jvmArgs(), args, spec.logDir().resolve("worker-" + index + ".log")));
                load.add(0);
                members.add(new HashSet<>());
            }
            int room = (g == 0 ? localCapacity : sessionsPerProcess) - load.get(g);
            int take = Math.min(room, users.size() - next);
            parts.add(users.subList(next, next + take));
            load.set(g, load.get(g) + take);
            members.get(g).addAll(parts.get(g));
            next += take;
        }
        return acrossGroups(
                parts,
                users.size(),
                concurrency,
                (group, part, share) -> group.connect(part, transport, share, timeout));
    }

    /** Drops every session of every process at once, as a network loss would; returns how many. */
    public int dropAll(Duration timeout) throws Exception {
        int n = 0;
        for (ClientGroup g : groups) {
            n += g.dropAll(timeout);
        }
        return n;
    }

    /**
     * Resumes every dropped session, the processes in parallel, each with its share of
     * {@code concurrency} by how many sessions it holds.
     */
    public ConnectReport resumeAll(int concurrency, Duration timeout) throws Exception {
        List<List<String>> parts = new ArrayList<>();
        members.forEach(m -> parts.add(new ArrayList<>(m)));
        int total = parts.stream().mapToInt(List::size).sum();
        return acrossGroups(parts, total, concurrency, (group, part, share) -> group.resumeAll(share, timeout));
    }

    /**
     * Subscribes every subscriber's session, in the process that holds it, all processes in
     * parallel. A user no process was given goes to this one, which reports it as having no session.
     */
    public ConnectReport subscribe(List<Fanout.Subscriber> subscribers, int concurrency, Duration timeout)
            throws Exception {
        List<List<Fanout.Subscriber>> parts = new ArrayList<>();
        groups.forEach(g -> parts.add(new ArrayList<>()));
        for (Fanout.Subscriber s : subscribers) {
            int g = 0;
            while (g < members.size() && !members.get(g).contains(s.user())) {
                g++;
            }
            parts.get(g < members.size() ? g : 0).add(s);
        }
        return acrossGroups(
                parts, subscribers.size(), concurrency, (group, part, share) -> group.subscribe(part, share, timeout));
    }

    /** One group's share of a batch operation. */
    private interface GroupCall<T> {
        ConnectReport run(ClientGroup group, List<T> part, int concurrency) throws Exception;
    }

    /**
     * Runs part g on group g, the groups in parallel, each with its share of the concurrency, and
     * merges the reports; the merged elapsed time is the slowest group's.
     */
    private <T> ConnectReport acrossGroups(List<List<T>> parts, int total, int concurrency, GroupCall<T> call)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parts.size());
        try {
            List<Future<ConnectReport>> fs = new ArrayList<>();
            for (int g = 0; g < parts.size(); g++) {
                ClientGroup group = groups.get(g);
                List<T> part = parts.get(g);
                int share = Math.max(1, (int) ((long) concurrency * part.size() / Math.max(1, total)));
                fs.add(pool.submit(() -> part.isEmpty()
                        ? new ConnectReport(0, 0, 0, Map.of(), 1, new Histogram(1, 600_000_000L, 3))
                        : call.run(group, part, share)));
            }
            long requested = 0;
            long opened = 0;
            long notStarted = 0;
            long elapsed = 1;
            Map<String, Long> failures = new TreeMap<>();
            Histogram h = new Histogram(1, 600_000_000L, 3);
            for (Future<ConnectReport> f : fs) {
                ConnectReport r = f.get();
                requested += r.requested();
                opened += r.opened();
                notStarted += r.notStarted();
                elapsed = Math.max(elapsed, r.elapsedNanos());
                r.failures().forEach((k, v) -> failures.merge(k, v, Long::sum));
                h.add(r.latencyUs());
            }
            return new ConnectReport(requested, opened, notStarted, failures, elapsed, h);
        } finally {
            pool.shutdownNow();
        }
    }

    public void openPhase(int phase, long expected) throws Exception {
        for (ClientGroup g : groups) {
            g.openPhase(phase, expected);
        }
    }

    public Ledger.Counts counts(int phase) throws Exception {
        Ledger.Counts sum = null;
        for (ClientGroup g : groups) {
            Ledger.Counts c = g.counts(phase);
            sum = sum == null ? c : sum.plus(c);
        }
        return sum;
    }

    public Histogram histogram(int phase) throws Exception {
        Histogram h = new Histogram(1, Ledger.MAX_LATENCY_US, 3);
        for (ClientGroup g : groups) {
            h.add(g.histogram(phase));
        }
        return h;
    }

    public void closePhase(int phase) throws Exception {
        for (ClientGroup g : groups) {
            g.closePhase(phase);
        }
    }

    /** Closes every session of every process. */
    public int closeAll(Duration timeout) throws Exception {
        int notClosed = 0;
        for (ClientGroup g : groups) {
            notClosed += g.closeAll(timeout);
        }
        for (int i = 0; i < load.size(); i++) {
            load.set(i, 0);
            members.get(i).clear();
        }
        return notClosed;
    }

    public List<String> sessionQueues() throws Exception {
        List<String> q = new ArrayList<>();
        for (ClientGroup g : groups) {
            q.addAll(g.sessionQueues());
        }
        return q;
    }

    /** Client counters summed over the processes (numbers only; maps merged by key). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> stats() throws Exception {
        Map<String, Object> sum = new TreeMap<>();
        for (ClientGroup g : groups) {
            for (Map.Entry<String, Object> e : g.stats().entrySet()) {
                Object v = e.getValue();
                if (v instanceof Number n) {
                    sum.merge(e.getKey(), n.longValue(), (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
                } else if (v instanceof Map<?, ?> m) {
                    Map<String, Object> acc =
                            (Map<String, Object>) sum.computeIfAbsent(e.getKey(), k -> new TreeMap<>());
                    m.forEach((k, x) -> acc.merge(
                            String.valueOf(k),
                            ((Number) x).longValue(),
                            (a, b) -> ((Number) a).longValue() + ((Number) b).longValue()));
                } else {
                    sum.putIfAbsent(e.getKey(), v);
                }
            }
        }
        sum.put("processes", groups.size());
        return sum;
    }

    public LocalClientGroup local() {
        return local;
    }

    @Override
    public void close() {
        for (int i = groups.size() - 1; i >= 0; i--) {
            groups.get(i).close();
        }
    }
}
