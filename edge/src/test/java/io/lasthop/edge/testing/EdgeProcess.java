package io.lasthop.edge.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An edge node as a separate JVM process, as operators run it: killed with SIGKILL or drained
 * with SIGTERM for real. Runs the edge's main class on this JVM's class path.
 */
public final class EdgeProcess implements EdgeAddress, AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String nodeId;
    private final int port;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    private EdgeProcess(String nodeId, int port, Map<String, String> env) throws IOException {
        this.nodeId = nodeId;
        this.port = port;
        this.env = env;
        this.log = Files.createTempFile("lasthop-" + nodeId, ".log");
    }

    /** Starts a node on a free port and waits until it is ready. */
    public static EdgeProcess start(String nodeId, Map<String, String> settings) throws IOException {
        return start(nodeId, freePort(), settings);
    }

    public static EdgeProcess start(String nodeId, int port, Map<String, String> settings) throws IOException {
        Map<String, String> env = new HashMap<>(settings);
        env.putIfAbsent("LASTHOP_AMQP_URI", Broker.URI);
        env.putIfAbsent("LASTHOP_JWT_HS256_SECRET", Edge.SECRET);
        // Every test client comes from 127.0.0.1.
        env.putIfAbsent("LASTHOP_LIMITS_SESSIONS_RATE", "1000000");
        env.putIfAbsent("LASTHOP_LIMITS_SESSIONS_RATE_PER_ADDRESS", "1000000");
        env.put("LASTHOP_NODE_ID", nodeId);
        env.put("LASTHOP_HTTP_HOST", "127.0.0.1");
        env.put("LASTHOP_HTTP_PORT", Integer.toString(port));
        EdgeProcess p = new EdgeProcess(nodeId, port, env);
        p.launch();
        return p;
    }

    /** Starts the process again after a stop, on the same port. */
    public void restart() throws IOException {
        launch();
    }

    private void launch() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.lasthop.edge.server.Main")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        Await.until(this::ready, Duration.ofSeconds(30), "node " + nodeId + " to be ready; log: " + log);
    }

    public boolean ready() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(http() + "/readyz"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM: the node drains and exits; waits for the exit. */
    public void terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("node " + nodeId + " did not exit within 60 s of SIGTERM; log: " + log);
        }
    }

    /** SIGKILL: a crash; nothing runs on the way out. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public String nodeId() {
        return nodeId;
    }

    public int port() {
        return port;
    }

    @Override
    public String http() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill9();
        }
    }
}
