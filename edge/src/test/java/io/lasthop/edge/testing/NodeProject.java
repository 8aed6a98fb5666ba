package io.lasthop.edge.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Node project under {@code edge/src/test/node}: found from wherever surefire runs, and installed. */
public final class NodeProject {
    private static final long NPM_TIMEOUT_SECONDS = 180;

    private NodeProject() {}

    /** The directory holding {@code marker}, searched above the working directory and this class. */
    public static Path locate(String marker) {
        List<Path> starts = new ArrayList<>();
        if (System.getProperty("basedir") != null) {
            starts.add(Path.of(System.getProperty("basedir")).toAbsolutePath());
        }
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(NodeProject.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            // not loaded from a file: the other starts will do
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                for (String rel : List.of("src/test/node", "edge/src/test/node")) {
                    Path candidate = dir.resolve(rel);
                    if (Files.isRegularFile(candidate.resolve(marker))) {
                        return candidate;
                    }
                }
            }
        }
        throw new AssertionError("cannot find edge/src/test/node/" + marker + " above any of " + starts);
    }

    /**
     * {@code npm ci} unless node_modules already matches the committed lock file: exactly the pinned
     * versions, and again whenever the lock file changes.
     */
    public static synchronized void install(Path dir) throws IOException, InterruptedException {
        Path installed = dir.resolve("node_modules/.package-lock.json");
        Path lock = dir.resolve("package-lock.json");
        if (Files.isRegularFile(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        Path log = Files.createTempFile("lasthop-npm-ci", ".log");
        Process npm;
        try {
            npm = new ProcessBuilder(windows() ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "npm is not installed or not on PATH (" + e.getMessage() + "). These tests run "
                            + "Node: install Node.js 18 or newer with npm, e.g. apt-get install nodejs npm",
                    e);
        }
        if (!npm.waitFor(NPM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            npm.destroyForcibly();
            throw new AssertionError(
                    "npm ci in " + dir + " took longer than " + NPM_TIMEOUT_SECONDS + " s:\n" + Files.readString(log));
        }
        if (npm.exitValue() != 0) {
            throw new AssertionError(
                    "npm ci in " + dir + " failed with exit status " + npm.exitValue() + ":\n" + Files.readString(log));
        }
    }

    public static String node() {
        return windows() ? "node.exe" : "node";
    }

    private static boolean windows() {
        return System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    }
}
