package io.lasthop.edge.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short command with a real deadline: its output goes to a file rather than a pipe, so a
 * command that hangs with its output open cannot block the caller past the timeout; on timeout the
 * command and everything it started are killed.
 */
final class Exec {
    private Exec() {}

    /** What a finished command printed (stdout and stderr together) and its exit code. */
    record Result(List<String> cmd, int exit, String output) {
        boolean ok() {
            return exit == 0;
        }

        /** The output, or an AssertionError naming the command and what it printed. */
        String orFail() {
            if (exit != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed (exit " + exit + "):\n" + output);
            }
            return output;
        }
    }

    /**
     * @param env replaces the inherited environment when not null
     * @throws AssertionError when the command does not finish in time
     */
    static Result run(List<String> cmd, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("lasthop-exec", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(new File("/dev/null"));
            if (env != null) {
                pb.environment().clear();
                pb.environment().putAll(env);
            }
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill(p);
                throw e;
            }
            if (!done) {
                kill(p);
                throw new AssertionError(String.join(" ", cmd) + " timed out after " + timeout.toMillis() + " ms:\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** SIGKILL to a process and everything under it, and a bounded wait for it to go. */
    static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }
}
