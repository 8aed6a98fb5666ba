package io.lasthop.edge.integration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWTClaimsSet;
import io.lasthop.edge.auth.DevTokens;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.NodeProject;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A service in another language, Node with amqplib, that knows only PROTOCOL.md §9: it asks a
 * browser user over {@code lasthop.user} and gets the browser's {@code reply}, and it consumes what
 * a browser {@code send}s to {@code lasthop.inbound} and answers that session. The script is
 * {@code edge/src/test/node/service-contract.mjs}; {@code npm ci} installs its pinned client.
 */
class NodeServiceContractIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than the script's own 20 s wait, so the script reports its timeout before we kill it. */
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);

    static Path nodeDir;
    static Edge edge;

    @BeforeAll
    static void start() throws Exception {
        nodeDir = NodeProject.locate("service-contract.mjs");
        NodeProject.install(nodeDir);
        new Broker().close(); // fails with how to start RabbitMQ when it is not running
        edge = Edge.start();
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    @ParameterizedTest(name = "reply mode {0}, user id padded by {1} chars")
    @CsvSource({"queue, 0", "direct, 0", "queue, 300"})
    void serviceAsksABrowserAndGetsItsReply(String mode, int padding) throws Exception {
        String user = "x".repeat(padding) + Edge.newUser();
        String correlationId = "corr-" + UUID.randomUUID();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            String session = ws.next("hello").get("session").asText();
            try (ServiceProcess svc = ServiceProcess.start(
                    nodeDir, mode, Map.of("LASTHOP_USER", user, "CORRELATION_ID", correlationId))) {
                JsonNode msg = svc.explain(() -> ws.next("msg", SCRIPT_TIMEOUT));
                assertEquals(AmqpNames.USER_EXCHANGE, msg.get("exchange").asText());
                assertEquals(
                        AmqpNames.userRoutingKey(user),
                        msg.get("key").asText(),
                        "the script's routing key must be AmqpNames.userRoutingKey");
                assertEquals("application/json", msg.get("contentType").asText());
                assertEquals("contract.request", msg.get("type").asText());
                assertTrue(msg.has("timestamp"));
                assertFalse(msg.get("id").asText().startsWith("h:"), "the script sets message_id: " + msg);
                assertEquals("ready?", msg.get("body").get("question").asText());
                assertEquals(mode, msg.get("body").get("mode").asText());
                String replyToken = msg.path("replyToken").asText();
                assertFalse(replyToken.isEmpty(), "a message with reply_to carries a replyToken: " + msg);

                ObjectNode reply =
                        JSON.createObjectNode().put("t", "reply").put("ref", 1).put("token", replyToken);
                reply.putObject("body").put("answer", 42).put("from", user);
                ws.send(reply.toString());
                JsonNode ok = svc.explain(() -> ws.next("ok"));
                assertEquals(1, ok.get("ref").asLong());
                ws.ack(msg.get("seq").asLong());

                JsonNode out = svc.nextLine(SCRIPT_TIMEOUT);
                assertEquals(0, svc.awaitExit(SCRIPT_TIMEOUT), svc.describe());
                assertEquals(mode, out.get("mode").asText());
                assertEquals(correlationId, out.get("correlationId").asText());
                assertEquals(42, out.get("body").get("answer").asInt());
                assertEquals(user, out.get("body").get("from").asText());
                assertFalse(out.get("messageId").asText().isEmpty(), "the edge sets message_id on replies");
                assertEquals(user, out.get("headers").get("user").asText());
                assertEquals(
                        Edge.queueOf(user, session),
                        out.get("headers").get("session").asText());
            }
        }
    }

    @Test
    void serviceConsumesWhatABrowserSendsAndAnswersItsSession() throws Exception {
        String user = Edge.newUser();
        String key = "chat.contract-" + UUID.randomUUID();
        String token = DevTokens.mint(
                Edge.SECRET.getBytes(UTF_8),
                new JWTClaimsSet.Builder()
                        .subject(user)
                        .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
                        .claim("lasthop", Map.of("send", List.of("chat.#")))
                        .build());
        try (ServiceProcess svc = ServiceProcess.start(nodeDir, "inbound", Map.of("INBOUND_KEY", key));
                WsClient ws = WsClient.connect(edge, token, null)) {
            String queue = Edge.queueOf(user, ws.next("hello").get("session").asText());
            assertEquals(key, svc.nextLine(SCRIPT_TIMEOUT).get("key").asText(), "the script's listening line");

            ws.send("{\"t\":\"send\",\"ref\":2,\"key\":\"" + key + "\",\"body\":{\"text\":\"hello service\"}}");
            assertEquals(2, svc.explain(() -> ws.next("ok")).get("ref").asLong());

            JsonNode out = svc.nextLine(SCRIPT_TIMEOUT);
            assertEquals(0, svc.awaitExit(SCRIPT_TIMEOUT), svc.describe());
            assertEquals(key, out.get("key").asText());
            assertEquals("hello service", out.get("body").get("text").asText());
            assertEquals(user, out.get("headers").get("user").asText());
            assertEquals(queue, out.get("headers").get("session").asText());
            assertEquals(queue, out.get("replyTo").asText());
            assertFalse(out.get("messageId").asText().isEmpty());

            JsonNode answer = ws.next("msg");
            assertEquals("", answer.get("exchange").asText());
            assertEquals(queue, answer.get("key").asText());
            assertEquals(
                    "hello service", answer.get("body").get("echo").get("text").asText());
        }
    }

    // ---- setup ----

    /** Surefire runs with basedir = edge/; an IDE may run from the repository root. */

    /** The script as a subprocess: stdout read line by line as it comes, stderr kept for failures. */
    private static final class ServiceProcess implements AutoCloseable {
        private static final String EOF = "\u0000eof";
        private final Process process;
        private final Path stderr;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private ServiceProcess(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(this::readStdout, "node-service-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static ServiceProcess start(Path dir, String mode, Map<String, String> env) throws IOException {
            Path stderr = Files.createTempFile("lasthop-node-service", ".err");
            ProcessBuilder pb = new ProcessBuilder(NodeProject.node(), "service-contract.mjs")
                    .directory(dir.toFile())
                    .redirectError(stderr.toFile());
            Map<String, String> vars = new LinkedHashMap<>(env);
            vars.put("AMQP_URL", Broker.URI); // amqplib unescapes the vhost, %2F included
            vars.put("REPLY_MODE", mode);
            pb.environment().putAll(vars);
            try {
                return new ServiceProcess(pb.start(), stderr);
            } catch (IOException e) {
                throw new AssertionError(
                        "node is not installed or not on PATH (" + e.getMessage() + "). Install Node.js 18 or newer",
                        e);
            }
        }

        private void readStdout() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was killed; EOF below tells the waiting test
            }
            lines.add(EOF);
        }

        /** The next JSON line the script printed. */
        JsonNode nextLine(Duration timeout) throws Exception {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || line.equals(EOF)) {
                if (line == null) {
                    close();
                }
                throw new AssertionError((line == null
                                ? "no output within " + timeout.toMillis() + " ms"
                                : "the script ended without the expected output")
                        + "; " + describe());
            }
            return JSON.readTree(line);
        }

        int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError("the script did not exit within " + timeout.toMillis() + " ms; " + describe());
            }
            return process.exitValue();
        }

        /** Runs a wait on the browser side; if it fails, says what the script printed. */
        <T> T explain(Supplier<T> wait) {
            try {
                return wait.get();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; " + describe(), e);
            }
        }

        String describe() {
            String err;
            try {
                err = Files.readString(stderr);
            } catch (IOException e) {
                err = "(unreadable: " + e + ")";
            }
            return "node script " + (process.isAlive() ? "still running" : "exited " + process.exitValue())
                    + ", stderr:\n" + err;
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                Files.deleteIfExists(stderr);
            } catch (IOException e) {
                // a temp file; the OS cleans it
            }
        }
    }
}
