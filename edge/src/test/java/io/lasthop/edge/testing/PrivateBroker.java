package io.lasthop.edge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A RabbitMQ node of the test's own, on free ports and in a temporary folder, so a test can stop
 * and restart a broker without touching the one every other test shares.
 */
public final class PrivateBroker implements AutoCloseable {
    private final String node;
    private final int port;
    private final Path dir;

    private PrivateBroker(String node, int port, Path dir) {
        this.node = node;
        this.port = port;
        this.dir = dir;
    }

    public static PrivateBroker start() throws IOException, InterruptedException {
        int port = EdgeProcess.freePort();
        int dist = EdgeProcess.freePort();
        String node = "lasthop-test-" + port + "@localhost";
        Path dir = Files.createTempDirectory("lasthop-rabbit");
        Files.createDirectories(dir.resolve("mnesia"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("enabled_plugins"), "[].");
        Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.1 = 127.0.0.1:" + port + "\n");
        run(List.of("chown", "-R", "rabbitmq:rabbitmq", dir.toString()), Duration.ofSeconds(10), true);
        run(List.of("chmod", "755", dir.toString()), Duration.ofSeconds(10), true);
        PrivateBroker b = new PrivateBroker(node, port, dir);
        ProcessBuilder pb = new ProcessBuilder("rabbitmq-server", "-detached").redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.out").toFile());
        pb.environment().put("RABBITMQ_NODENAME", node);
        pb.environment().put("RABBITMQ_NODE_PORT", Integer.toString(port));
        pb.environment().put("RABBITMQ_DIST_PORT", Integer.toString(dist));
        pb.environment().put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        pb.environment().put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        pb.environment().put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        pb.environment().put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        pb.environment().put("RABBITMQ_PID_FILE", dir.resolve("pid").toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("rabbitmq-server is not installed; this test starts a RabbitMQ node of its own", e);
        }
        p.waitFor(30, TimeUnit.SECONDS);
        try {
            b.awaitStartup();
        } catch (AssertionError | IOException | InterruptedException e) {
            b.close();
            throw e;
        }
        return b;
    }

    public String uri() {
        return "amqp://guest:guest@127.0.0.1:" + port + "/%2F";
    }

    /** Stops the RabbitMQ application; the Erlang node stays, as in a rolling broker restart. */
    public void stopApp() throws IOException, InterruptedException {
        ctl(Duration.ofSeconds(60), "stop_app");
    }

    public void startApp() throws IOException, InterruptedException {
        ctl(Duration.ofSeconds(60), "start_app");
        awaitStartup();
    }

    /** await_startup fails at once while the node is not registered yet: ask again, up to 90 s. */
    private void awaitStartup() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (;;) {
            try {
                ctl(Duration.ofSeconds(30), "await_startup", "--timeout", "20");
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("RabbitMQ node " + node + " did not start; logs in " + dir.resolve("log"), e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
    }

    private void ctl(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("rabbitmqctl", "-n", node));
        cmd.addAll(List.of(args));
        run(cmd, timeout, false);
    }

    private static void run(List<String> cmd, Duration timeout, boolean quiet) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " timed out:\n" + out);
        }
        if (p.exitValue() != 0 && !quiet) {
            throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(List.of("rabbitmqctl", "-n", node, "stop"), Duration.ofSeconds(60), true);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
