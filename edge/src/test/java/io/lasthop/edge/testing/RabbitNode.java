package io.lasthop.edge.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * One RabbitMQ node of a test's own: its ports, its folder (data, logs, config) and its Erlang VM,
 * run in the foreground as a child of this JVM, as the user this JVM runs as.
 *
 * <p>The scripts come from {@code /usr/lib/rabbitmq/bin}, not the {@code /usr/sbin} wrappers of the
 * Debian package: those {@code su} to the {@code rabbitmq} user and reset {@code HOME} to
 * {@code /var/lib/rabbitmq}, which gives every node the shared node's Erlang cookie. Here {@code HOME}
 * is a folder of the test's own holding its own {@code .erlang.cookie}, mode 400, owned by the user
 * the nodes and rabbitmqctl run as (this JVM's): nodes of one test share it, and nothing else on the
 * machine (the shared broker, other tests' nodes) can talk to them or be clustered with them by
 * mistake. Nothing is read from {@code /etc/rabbitmq}: the config file, the env file and the plugins
 * file are the node's own.
 */
final class RabbitNode {
    private static final Duration CTL_TIMEOUT = Duration.ofSeconds(60);

    final int index;
    final String name;
    final int port;
    final int distPort;
    final Path dir;
    private final Path home;
    private Process launcher;
    private ProcessHandle beam;
    /** How far the log was read for "Server startup complete": its size at launch, then whole lines read. */
    private long logScanned;

    RabbitNode(int index, String prefix, int port, int distPort, Path dir, Path home) {
        this.index = index;
        this.name = prefix + port + "@localhost";
        this.port = port;
        this.distPort = distPort;
        this.dir = dir;
        this.home = home;
    }

    /** A folder to be some nodes' {@code HOME}, with a fresh random Erlang cookie, mode 400. */
    static Path newHome(Path parent) throws IOException {
        Path home = Files.createDirectories(parent.resolve("home"));
        SecureRandom random = new SecureRandom();
        StringBuilder cookie = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            cookie.append((char) ('A' + random.nextInt(26)));
        }
        Path file = home.resolve(".erlang.cookie");
        Files.writeString(file, cookie);
        Files.setPosixFilePermissions(file, Set.of(PosixFilePermission.OWNER_READ));
        Files.writeString(parent.resolve("rabbitmq-env.conf"), "# the nodes' own, instead of /etc/rabbitmq's\n");
        return home;
    }

    /** Distinct ports that were free on 127.0.0.1 a moment ago. */
    static List<Integer> freePorts(int count) throws IOException {
        Set<Integer> ports = new LinkedHashSet<>();
        for (int tries = 0; ports.size() < count && tries < count * 20; tries++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                ports.add(s.getLocalPort());
            }
        }
        if (ports.size() < count) {
            throw new IOException("could not find " + count + " free ports on 127.0.0.1");
        }
        return new ArrayList<>(ports);
    }

    /** @param extraConfig rabbitmq.conf lines of the test's, appended to the node's own */
    void prepare(String extraConfig) throws IOException {
        Files.createDirectories(dir.resolve("mnesia"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        // The shared node's /etc/rabbitmq/rabbitmq.conf pins 5672: this file replaces it.
        Files.writeString(
                dir.resolve("rabbitmq.conf"),
                "listeners.tcp.1 = 127.0.0.1:" + port + "\n" + "log.console = false\n" + extraConfig);
    }

    /** The environment of the node and of rabbitmqctl: nothing of the caller's RABBITMQ_ or ERL_ settings. */
    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (!k.startsWith("RABBITMQ_")
                    && !k.startsWith("ERL_")
                    && !k.equals("HOME")
                    && !k.equals("NOTIFY_SOCKET")) {
                env.put(k, v);
            }
        });
        env.put("HOME", home.toString());
        env.put(
                "RABBITMQ_CONF_ENV_FILE",
                home.getParent().resolve("rabbitmq-env.conf").toString());
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        env.put("ERL_FLAGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        // rabbitmqctl's own Erlang node listens on 35672-35682 by default: 11 ports for every CLI
        // call on the machine, the other tests' included. Any free port will do.
        env.put("RABBITMQ_CTL_DIST_PORT_MIN", "0");
        env.put("RABBITMQ_CTL_DIST_PORT_MAX", "0");
        return env;
    }

    /** Starts the node's VM (same name, ports and data as before when it ran already); does not wait. */
    synchronized void launch() throws IOException {
        if (launcher != null && launcher.isAlive()) {
            throw new IllegalStateException("node " + name + " is running");
        }
        ProcessBuilder pb = new ProcessBuilder(script("rabbitmq-server").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server.out").toFile()))
                .redirectInput(new File("/dev/null"));
        pb.environment().clear();
        pb.environment().putAll(env());
        pb.environment().put("RABBITMQ_NODENAME", name);
        pb.environment().put("RABBITMQ_NODE_PORT", Integer.toString(port));
        pb.environment().put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        pb.environment()
                .put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        pb.environment()
                .put(
                        "RABBITMQ_ADVANCED_CONFIG_FILE",
                        dir.resolve("advanced.config").toString());
        pb.environment().put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        pb.environment().put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        pb.environment()
                .put(
                        "RABBITMQ_ENABLED_PLUGINS_FILE",
                        dir.resolve("enabled_plugins").toString());
        pb.environment().put("RABBITMQ_PID_FILE", dir.resolve("pid").toString());
        pb.environment().put("ERL_CRASH_DUMP", dir.resolve("erl_crash.dump").toString());
        beam = null;
        Path log = dir.resolve("log").resolve(name + ".log");
        logScanned = Files.exists(log) ? Files.size(log) : 0;
        launcher = pb.start();
    }

    /**
     * Waits until the node has booted: its AMQP port accepts connections and its log, past what
     * was there at launch, says "Server startup complete" (both polled: no CPU spent in a CLI
     * while nodes boot). Without that line 5 s after the port opened (another version's wording),
     * asks rabbitmqctl await_startup, which is also right but costs a CLI VM, fails at once for a
     * node not registered yet, and polls only every 10 s while a node boots.
     */
    void awaitBooted(Duration timeout) throws IOException, InterruptedException {
        awaitBooted(timeout, null);
    }

    void awaitBooted(Duration timeout, PrivateCluster.Timeline timeline) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long portOpen = 0;
        boolean complete = false;
        while (!complete) {
            if (portOpen == 0 && accepts()) {
                portOpen = System.nanoTime();
                if (timeline != null) {
                    timeline.add(this, "port");
                }
            }
            complete = logSays("Server startup complete");
            if (complete || (portOpen != 0 && System.nanoTime() - portOpen > TimeUnit.SECONDS.toNanos(5))) {
                break;
            }
            if (!launcherAlive()) {
                throw new AssertionError("RabbitMQ node " + name + " exited while booting\n" + diagnostics());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("RabbitMQ node " + name + " did not boot in " + timeout.toSeconds() + " s"
                        + (portOpen == 0 ? " (port " + port + " never opened)" : "") + "\n" + diagnostics());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        if (!complete || !accepts()) {
            long left = Math.max(5, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
            ctl(Duration.ofSeconds(left + 10), "await_startup", "--timeout", Long.toString(left));
        }
        synchronized (this) {
            beam = findBeam();
        }
        if (timeline != null) {
            timeline.add(this, "booted");
        }
    }

    /** Whether the node's log, past the offset it had at launch, holds that text. */
    private boolean logSays(String text) throws IOException {
        Path log = dir.resolve("log").resolve(name + ".log");
        if (!Files.exists(log)) {
            return false;
        }
        try (SeekableByteChannel ch = Files.newByteChannel(log)) {
            long from;
            synchronized (this) {
                from = logScanned;
            }
            if (ch.size() < from) {
                from = 0; // a new file (rotated): read it from its start
            }
            if (ch.size() <= from) {
                return false;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size() - from, 4 << 20));
            ch.position(from);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read what is there
            }
            String chunk = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int lastLine = chunk.lastIndexOf('\n');
            if (lastLine < 0) {
                return false;
            }
            boolean found = chunk.substring(0, lastLine).contains(text);
            synchronized (this) {
                // Whole lines only: a line being written is read again next time.
                logScanned = from + chunk.substring(0, lastLine + 1).getBytes(StandardCharsets.UTF_8).length;
            }
            return found;
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The node's Erlang VM: the pid the node wrote to its RABBITMQ_PID_FILE, checked to be a
     * beam.smp under this node's launcher (so a stale file or a reused pid is never killed), else
     * the beam.smp found under the launcher.
     */
    private ProcessHandle findBeam() throws IOException {
        Optional<ProcessHandle> fromFile = Optional.empty();
        Path pidFile = dir.resolve("pid");
        if (Files.exists(pidFile)) {
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                fromFile = ProcessHandle.of(pid).filter(RabbitNode::isBeam).filter(h -> launcher.descendants()
                        .anyMatch(d -> d.pid() == h.pid()));
            } catch (NumberFormatException e) {
                // written half: fall back to the process tree
            }
        }
        return fromFile.or(
                        () -> launcher.descendants().filter(RabbitNode::isBeam).findFirst())
                .orElseThrow(() -> new AssertionError("no beam.smp found for RabbitMQ node " + name));
    }

    private static boolean isBeam(ProcessHandle h) {
        return h.info()
                .command()
                .map(c -> c.endsWith("/beam.smp") || c.equals("beam.smp"))
                .orElse(false);
    }

    synchronized long osPid() {
        if (beam == null) {
            throw new IllegalStateException("node " + name + " is not running");
        }
        return beam.pid();
    }

    synchronized boolean launcherAlive() {
        return launcher != null && launcher.isAlive();
    }

    /** SIGKILL to the Erlang VM, as a crash or an OOM kill would; waits until it is gone. */
    synchronized void kill9() throws InterruptedException {
        if (launcher == null) {
            return;
        }
        ProcessHandle b = beam;
        if (b == null) {
            b = launcher.descendants().filter(RabbitNode::isBeam).findFirst().orElse(null);
        }
        if (b != null) {
            b.destroyForcibly();
        }
        // The launcher (the rabbitmq-server script) waits for the VM and exits right after it.
        if (!launcher.waitFor(10, TimeUnit.SECONDS)) {
            Exec.kill(launcher);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (b != null && b.isAlive() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        beam = null;
        try {
            Files.deleteIfExists(dir.resolve("pid"));
        } catch (IOException e) {
            // the watchdog checks the pid is a beam.smp anyway
        }
    }

    /** rabbitmqctl stop, then SIGKILL if the node is still there after the timeout. */
    void stop(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (launcherAlive()) {
            try {
                Exec.run(ctlCommand("stop"), env(), timeout);
            } catch (AssertionError | IOException e) {
                // timed out or could not run: killed below
            }
            Process l;
            synchronized (this) {
                l = launcher;
            }
            long left = Math.max(0, deadline - System.nanoTime());
            l.waitFor(left, TimeUnit.NANOSECONDS);
        }
        kill9();
    }

    String ctl(Duration timeout, String... args) throws IOException, InterruptedException {
        return Exec.run(ctlCommand(args), env(), timeout).orFail();
    }

    Exec.Result ctlResult(Duration timeout, String... args) throws IOException, InterruptedException {
        return Exec.run(ctlCommand(args), env(), timeout);
    }

    String ctl(String... args) throws IOException, InterruptedException {
        return ctl(CTL_TIMEOUT, args);
    }

    private List<String> ctlCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(script("rabbitmqctl").toString(), "-n", name));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The end of the node's stdout and log, for a failure message. */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        for (Path f : List.of(dir.resolve("server.out"), dir.resolve("log").resolve(name + ".log"))) {
            try {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                b.append("--- ").append(f).append(" (last lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size())
                        .forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                b.append("--- ").append(f).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * A script of the RabbitMQ installation itself: the package's /usr/sbin wrappers switch user and
     * HOME (see the class comment). Falls back to the one on PATH (a generic-unix install).
     */
    static Path script(String name) {
        for (String d : List.of("/usr/lib/rabbitmq/bin", "/usr/local/lib/rabbitmq/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(
                "RabbitMQ is not installed (no " + name + "); this test starts RabbitMQ nodes of its own");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
