package io.lasthop.edge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy with the configuration ops/ ships (haproxy-local.cfg), on free ports, in front of two
 * edge nodes: the load balancer of the failure tests, with its health checks and retries.
 */
public final class Haproxy implements EdgeAddress, AutoCloseable {
    private final Process process;
    private final int front;
    private final int stats;
    private final Path log;

    private Haproxy(Process process, int front, int stats, Path log) {
        this.process = process;
        this.front = front;
        this.stats = stats;
        this.log = log;
    }

    public static Haproxy start(int edge1Port, int edge2Port) throws IOException {
        Path cfgFile = locate();
        String haproxy = Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
        int front = EdgeProcess.freePort();
        int stats = EdgeProcess.freePort();
        String cfg = Files.readString(cfgFile)
                .replace("127.0.0.1:8080", "127.0.0.1:" + front)
                .replace("127.0.0.1:8081", "127.0.0.1:" + edge1Port)
                .replace("127.0.0.1:8082", "127.0.0.1:" + edge2Port)
                .replace("127.0.0.1:8404", "127.0.0.1:" + stats)
                .replace("127.0.0.1:9999", "127.0.0.1:" + EdgeProcess.freePort())
                // HAProxy wants two descriptors per maxconn; this machine's limit may be below production's
                .replace("maxconn 100000", "maxconn 4000");
        Path dir = Files.createTempDirectory("lasthop-haproxy");
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Path log = dir.resolve("haproxy.log");
        Process p;
        try {
            p = new ProcessBuilder(haproxy, "-db", "-f", file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("HAProxy is not installed: apt-get install -y haproxy (.ci/run does)", e);
        }
        return new Haproxy(p, front, stats, log);
    }

    @Override
    public String http() {
        return "http://127.0.0.1:" + front;
    }

    /** True once a request through it reaches a ready node. */
    public boolean ready() {
        try {
            return java.net.http.HttpClient.newHttpClient()
                            .send(
                                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(http() + "/readyz"))
                                            .timeout(java.time.Duration.ofSeconds(2))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Port of HAProxy's stats frontend (server states, its Prometheus metrics). */
    public int statsPort() {
        return stats;
    }

    public Path log() {
        return log;
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path cfg = dir.resolve("ops/haproxy/haproxy-local.cfg");
            if (Files.isRegularFile(cfg)) {
                return cfg;
            }
        }
        throw new AssertionError(
                "cannot find ops/haproxy/haproxy-local.cfg above " + Path.of("").toAbsolutePath());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
