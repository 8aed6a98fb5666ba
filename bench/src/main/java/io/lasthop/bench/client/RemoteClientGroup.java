package io.lasthop.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lasthop.bench.Fanout;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Sessions held by a child JVM ({@code Main worker}), driven by one JSON command per line on its
 * stdin and answered by one JSON line on its stdout. Its stderr goes to a log file. Every call is
 * bounded in time; a worker that stops answering is destroyed.
 */
public final class RemoteClientGroup implements ClientGroup {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "worker-reader");
        t.setDaemon(true);
        return t;
    });

    /** Starts a worker with the given arguments after {@code java -cp JAR io.lasthop.bench.Main worker}. */
    public RemoteClientGroup(List<String> jvmArgs, List<String> workerArgs, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.lasthop.bench.Main");
        cmd.add("worker");
        cmd.addAll(workerArgs);
        process = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private synchronized JsonNode call(ObjectNode cmd, Duration timeout) throws IOException {
        in.write(JSON.writeValueAsString(cmd));
        in.write('\n');
        in.flush();
        Future<String> line = reader.submit(out::readLine);
        String text;
        try {
            text = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            close();
            throw new IOException(
                    "worker " + pid() + " did not answer " + cmd.path("cmd").asText() + ": " + e);
        }
        if (text == null) {
            throw new IOException("worker " + pid() + " exited");
        }
        JsonNode r = JSON.readTree(text);
        if (r.has("error")) {
            throw new IOException("worker " + pid() + ": " + r.get("error").asText());
        }
        return r;
    }

    private static ObjectNode cmd(String name) {
        return JSON.createObjectNode().put("cmd", name);
    }

    @Override
    public ConnectReport connect(List<String> users, Transport transport, int concurrency, Duration timeout)
            throws IOException {
        ObjectNode c = cmd("connect")
                .put("transport", transport.name())
                .put("concurrency", concurrency)
                .put("timeoutMs", timeout.toMillis());
        users.forEach(c.putArray("users")::add);
        return report(call(c, timeout.plusSeconds(60)));
    }

    @Override
    public ConnectReport subscribe(List<Fanout.Subscriber> subscribers, int concurrency, Duration timeout)
            throws IOException {
        ObjectNode c = cmd("subscribe").put("concurrency", concurrency).put("timeoutMs", timeout.toMillis());
        c.set("subscribers", encode(subscribers));
        return report(call(c, timeout.plusSeconds(60)));
    }

    /** Subscribers as JSON: {@code [[user, topic, slot, width], …]}, read back by {@link #decode}. */
    static ArrayNode encode(List<Fanout.Subscriber> subscribers) {
        ArrayNode a = JSON.createArrayNode();
        for (Fanout.Subscriber s : subscribers) {
            a.addArray().add(s.user()).add(s.topic()).add(s.slot()).add(s.width());
        }
        return a;
    }

    static List<Fanout.Subscriber> decode(JsonNode a) {
        List<Fanout.Subscriber> out = new ArrayList<>(a.size());
        a.forEach(s -> out.add(new Fanout.Subscriber(
                s.get(0).asText(), s.get(1).asText(), s.get(2).asInt(), s.get(3).asInt())));
        return out;
    }

    /** A {@link ConnectReport} as JSON fields of {@code r}, read back by {@link #report}. */
    static void put(ObjectNode r, ConnectReport cr) {
        r.put("requested", cr.requested())
                .put("opened", cr.opened())
                .put("notStarted", cr.notStarted())
                .put("elapsedNanos", cr.elapsedNanos())
                .put("latency", LatencySummary.encode(cr.latencyUs()));
        ObjectNode f = r.putObject("failures");
        cr.failures().forEach(f::put);
    }

    static ConnectReport report(JsonNode r) {
        Map<String, Long> failures = new TreeMap<>();
        r.path("failures")
                .fields()
                .forEachRemaining(e -> failures.put(e.getKey(), e.getValue().asLong()));
        return new ConnectReport(
                r.path("requested").asLong(),
                r.path("opened").asLong(),
                r.path("notStarted").asLong(),
                failures,
                r.path("elapsedNanos").asLong(),
                LatencySummary.decode(r.path("latency").asText()));
    }

    @Override
    public int dropAll(Duration timeout) throws IOException {
        return call(cmd("dropAll").put("timeoutMs", timeout.toMillis()), timeout.plusSeconds(30))
                .path("dropped")
                .asInt();
    }

    @Override
    public ConnectReport resumeAll(int concurrency, Duration timeout) throws IOException {
        return report(call(
                cmd("resumeAll").put("concurrency", concurrency).put("timeoutMs", timeout.toMillis()),
                timeout.plusSeconds(60)));
    }

    @Override
    public void openPhase(int phase, long expected) throws IOException {
        call(cmd("openPhase").put("phase", phase).put("expected", expected), Duration.ofSeconds(30));
    }

    @Override
    public Ledger.Counts counts(int phase) throws IOException {
        JsonNode r = call(cmd("counts").put("phase", phase), Duration.ofSeconds(30));
        return new Ledger.Counts(
                r.path("expected").asLong(),
                r.path("unique").asLong(),
                r.path("duplicates").asLong(),
                r.path("foreign").asLong(),
                r.path("clockSkewed").asLong());
    }

    @Override
    public Histogram histogram(int phase) throws IOException {
        return LatencySummary.decode(call(cmd("histogram").put("phase", phase), Duration.ofSeconds(30))
                .path("h")
                .asText());
    }

    @Override
    public void closePhase(int phase) throws IOException {
        call(cmd("closePhase").put("phase", phase), Duration.ofSeconds(30));
    }

    @Override
    public int closeAll(Duration timeout) throws IOException {
        return call(cmd("closeAll").put("timeoutMs", timeout.toMillis()), timeout.plusSeconds(30))
                .path("notClosed")
                .asInt();
    }

    @Override
    public List<String> sessionQueues() throws IOException {
        List<String> q = new ArrayList<>();
        call(cmd("sessionQueues"), Duration.ofSeconds(60)).path("queues").forEach(n -> q.add(n.asText()));
        return q;
    }

    @SuppressWarnings("unchecked")
    @Override
    public Map<String, Object> stats() throws IOException {
        return JSON.convertValue(call(cmd("stats"), Duration.ofSeconds(30)), Map.class);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                in.write("{\"cmd\":\"exit\"}\n");
                in.flush();
            }
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        reader.shutdownNow();
    }
}
