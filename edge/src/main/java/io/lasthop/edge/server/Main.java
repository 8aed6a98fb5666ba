package io.lasthop.edge.server;

import io.lasthop.edge.cli.PublishCommand;
import io.lasthop.edge.config.EdgeConfig;
import io.lasthop.edge.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar lasthop-edge.jar [--dev] [--config FILE] [--help]}. Configuration comes from the
 * file, then from {@code LASTHOP_*} environment variables, which win.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        if (args.length > 0 && args[0].equals("publish")) {
            String uri = System.getenv().getOrDefault(Settings.AMQP_URI.env(), Settings.AMQP_URI.defaultText());
            System.exit(PublishCommand.run(args, uri));
            return;
        }
        Path file = null;
        boolean dev = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dev" -> dev = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        usage("--config needs a file");
                    }
                    file = Path.of(args[++i]);
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE + "\nSettings (file key, environment variable, default):\n\n"
                            + EdgeConfig.describe());
                    return;
                }
                default -> usage("unknown argument " + args[i]);
            }
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        if (dev) {
            env.put(Settings.DEV.env(), "true");
        }
        EdgeConfig config;
        EdgeServer server;
        try {
            config = EdgeConfig.load(file, env);
            server = new EdgeServer(config);
        } catch (IllegalArgumentException e) {
            System.err.println("lasthop: " + e.getMessage());
            System.exit(2);
            return;
        }
        server.start();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.drain();
                            server.close();
                        },
                        "lasthop-shutdown"));
        printBanner(config, server);
    }

    private static void printBanner(EdgeConfig config, EdgeServer server) {
        String base = "http://127.0.0.1:" + server.port();
        StringBuilder sb = new StringBuilder();
        sb.append("\nLasthop edge ")
                .append(server.nodeId())
                .append(" on ")
                .append(base)
                .append('\n');
        sb.append("  WebSocket  ").append(base.replace("http", "ws")).append("/lasthop/ws?token=TOKEN\n");
        sb.append("  SSE        ").append(base).append("/lasthop/sse?token=TOKEN\n");
        sb.append("  health     ")
                .append(base)
                .append("/healthz  ")
                .append(base)
                .append("/readyz  ")
                .append(base)
                .append("/metrics\n");
        if (config.get(Settings.DEV)) {
            sb.append("  demo       ").append(base).append("/demo   <- open this in a browser\n");
        }
        if (config.get(Settings.DEV)) {
            String bar = "!".repeat(78);
            sb.append('\n')
                    .append(bar)
                    .append('\n')
                    .append("!! DEV MODE: tokens are signed with a PUBLIC built-in secret, and anyone can mint\n")
                    .append("!! one at /dev/token. Never expose this node. Set LASTHOP_JWT_HS256_SECRET and\n")
                    .append("!! drop --dev for anything real.\n")
                    .append(bar)
                    .append('\n')
                    .append("  dev token: curl '")
                    .append(base)
                    .append("/dev/token?sub=alice'\n");
        }
        System.out.println(sb);
    }

    private static void usage(String problem) {
        System.err.println("lasthop: " + problem + "\n" + USAGE);
        System.exit(2);
    }

    private static final String USAGE = "usage: java -jar lasthop-edge.jar [--dev] [--config FILE] [--help]\n"
            + "       java -jar lasthop-edge.jar publish USER JSON";
}
