package io.lasthop.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.Ledger;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The child side of {@link RemoteClientGroup}: serves commands from stdin until "exit" or EOF. */
public final class Worker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Worker() {}

    public static void serve(LocalClientGroup group) throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing else may write to the protocol stream
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        try {
            while ((line = in.readLine()) != null) {
                JsonNode c = JSON.readTree(line);
                String cmd = c.path("cmd").asText();
                if (cmd.equals("exit")) {
                    break;
                }
                ObjectNode r = JSON.createObjectNode();
                try {
                    handle(group, c, cmd, r);
                } catch (Exception e) {
                    r.removeAll();
                    r.put("error", e.toString());
                }
                out.println(JSON.writeValueAsString(r));
            }
        } finally {
            group.close();
        }
    }

    private static void handle(LocalClientGroup g, JsonNode c, String cmd, ObjectNode r) throws Exception {
        switch (cmd) {
            case "connect" -> {
                List<String> users = new ArrayList<>();
                c.path("users").forEach(u -> users.add(u.asText()));
                RemoteClientGroup.put(
                        r,
                        g.connect(
                                users,
                                Transport.valueOf(c.path("transport").asText()),
                                c.path("concurrency").asInt(),
                                Duration.ofMillis(c.path("timeoutMs").asLong())));
            }
            case "dropAll" ->
                r.put("dropped", g.dropAll(Duration.ofMillis(c.path("timeoutMs").asLong())));
            case "resumeAll" ->
                RemoteClientGroup.put(
                        r,
                        g.resumeAll(
                                c.path("concurrency").asInt(),
                                Duration.ofMillis(c.path("timeoutMs").asLong())));
            case "subscribe" ->
                RemoteClientGroup.put(
                        r,
                        g.subscribe(
                                RemoteClientGroup.decode(c.path("subscribers")),
                                c.path("concurrency").asInt(),
                                Duration.ofMillis(c.path("timeoutMs").asLong())));
            case "openPhase" ->
                g.openPhase(c.path("phase").asInt(), c.path("expected").asLong());
            case "counts" -> {
                Ledger.Counts k = g.counts(c.path("phase").asInt());
                r.put("expected", k.expected())
                        .put("unique", k.unique())
                        .put("duplicates", k.duplicates())
                        .put("foreign", k.foreign())
                        .put("clockSkewed", k.clockSkewed());
            }
            case "histogram" ->
                r.put("h", LatencySummary.encode(g.histogram(c.path("phase").asInt())));
            case "closePhase" -> g.closePhase(c.path("phase").asInt());
            case "closeAll" ->
                r.put(
                        "notClosed",
                        g.closeAll(Duration.ofMillis(c.path("timeoutMs").asLong())));
            case "sessionQueues" -> g.sessionQueues().forEach(r.putArray("queues")::add);
            case "stats" -> r.setAll((ObjectNode) JSON.valueToTree(g.stats()));
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        }
    }
}
