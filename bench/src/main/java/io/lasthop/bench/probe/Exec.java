package io.lasthop.bench.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command with a time bound; its output, or null if it failed or timed out. */
public final class Exec {
    private Exec() {}

    public static String run(long timeoutSeconds, List<String> cmd) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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
