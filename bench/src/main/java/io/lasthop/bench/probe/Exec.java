package io.lasthop.bench.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command with a time bound; its output, or null if it failed or timed out. */
public final class Exec {
    /**
     * {@code BENCH_RABBIT_HOME}: the HOME (Erlang cookie) of the broker nodes bench/run started for a
     * cluster run; RabbitMQ's tools then run from the installation directly with that HOME, instead
     * of the Debian wrappers, which switch to the rabbitmq user's own cookie.
     */
    private static final String RABBIT_HOME = System.getenv("BENCH_RABBIT_HOME");

    private static final List<String> RABBIT_TOOLS = List.of("rabbitmqctl", "rabbitmq-diagnostics", "rabbitmq-queues");

    private Exec() {}

    private static List<String> rabbitHome(List<String> cmd) {
        if (RABBIT_HOME == null || cmd.isEmpty() || !RABBIT_TOOLS.contains(cmd.get(0))) {
            return cmd;
        }
        List<String> c = new java.util.ArrayList<>(cmd);
        c.set(0, "/usr/lib/rabbitmq/bin/" + cmd.get(0));
        return c;
    }

    public static String run(long timeoutSeconds, List<String> cmd) {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(rabbitHome(cmd)).redirectErrorStream(true);
            if (RABBIT_HOME != null && !cmd.isEmpty() && RABBIT_TOOLS.contains(cmd.get(0))) {
                pb.environment().put("HOME", RABBIT_HOME);
            }
            p = pb.start();
        } catch (IOException e) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(
                () -> {
                    try (InputStream in = p.getInputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // process ended
                    }
                },
                "exec-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            reader.join(2_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        }
        return p.exitValue() == 0 ? out.toString() : null;
    }

    /** A numeric system setting from {@code getconf NAME}, or {@code dflt} if it cannot be read. */
    static long getconf(String name, long dflt) {
        String s = run(5, List.of("getconf", name));
        try {
            return s == null ? dflt : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
