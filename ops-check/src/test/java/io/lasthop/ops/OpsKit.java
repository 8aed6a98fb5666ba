package io.lasthop.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every check of the operations kit (ops/ and docker-compose.yml) shares: where the kit is,
 * its YAML files and its dashboard read as JSON, and the command-line tools that check it.
 * haproxy, promtool, PyYAML and openssl are required: when one is missing the check fails and says
 * how to install it (CI installs them in .ci/run).
 */
final class OpsKit {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = repositoryRoot();
    static final Path OPS = ROOT.resolve("ops");

    private OpsKit() {}

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(OPS.resolve("grafana/dashboards/lasthop.json").toFile());
    }

    static List<JsonNode> panels(JsonNode dash) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode p : dash.path("panels")) {
            all.add(p);
            p.path("panels").forEach(all::add);
        }
        return all;
    }

    static List<String> dashboardExprs() throws IOException {
        JsonNode dash = dashboard();
        List<String> exprs = new ArrayList<>();
        for (JsonNode p : panels(dash)) {
            p.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
        for (JsonNode v : dash.path("templating").path("list")) {
            String def = v.path("definition").asText();
            Matcher m =
                    Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(def);
            if (m.find()) {
                exprs.add(m.group(1));
            }
        }
        assertTrue(exprs.size() > 10, "dashboard queries: " + exprs);
        return exprs;
    }

    record Run(int exit, String output) {}

    static Run run(List<String> command) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command));
    }

    static Run run(ProcessBuilder pb) throws IOException, InterruptedException {
        Path out = Files.createTempFile("opskit", ".out");
        Process p = pb.redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(pb.command() + " did not finish within 60 s");
        }
        String output = Files.readString(out);
        Files.deleteIfExists(out);
        return new Run(p.exitValue(), output);
    }

    /** The path of a command-line tool, or a failure that says how to install it. */
    static String tool(String name, String install) {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return fail(name + " is not installed. The operations kit is checked with it; CI installs it in .ci/run. "
                + "Install it with: " + install);
    }

    /** Parses every YAML document of a file with PyYAML (no YAML parser is on the Maven classpath). */
    static List<JsonNode> yaml(Path file) throws IOException, InterruptedException {
        Run r = run(List.of(
                python(),
                "-c",
                "import json, sys, yaml\n"
                        + "with open(sys.argv[1], encoding='utf-8') as f:\n"
                        + "    json.dump(list(yaml.safe_load_all(f)), sys.stdout, default=str)\n",
                file.toString()));
        assertEquals(0, r.exit(), file + " is not valid YAML:\n" + r.output());
        List<JsonNode> docs = new ArrayList<>();
        JSON.readTree(r.output()).forEach(d -> {
            if (!d.isNull()) {
                docs.add(d);
            }
        });
        assertFalse(docs.isEmpty(), file + " is empty");
        return docs;
    }

    private static String python;

    static synchronized String python() throws IOException, InterruptedException {
        if (python == null) {
            for (String candidate : List.of("python3", "/usr/bin/python3")) {
                try {
                    if (run(List.of(candidate, "-c", "import yaml")).exit() == 0) {
                        python = candidate;
                        break;
                    }
                } catch (IOException e) {
                    // not there
                }
            }
            if (python == null) {
                fail("python3 with PyYAML is needed to parse the kit's YAML; CI installs it in .ci/run. "
                        + "Install it with: apt-get install -y python3-yaml");
            }
        }
        return python;
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Path repositoryRoot() {
        Path p = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("docker-compose.yml")) && Files.isDirectory(d.resolve("ops"))) {
                return d;
            }
        }
        throw new IllegalStateException("no docker-compose.yml and ops/ above " + p);
    }
}
