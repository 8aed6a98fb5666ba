package io.lasthop.edge.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** POSIX signals the edge answers besides SIGTERM (which drains it, through a shutdown hook). */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /** Runs {@code action} on SIGHUP, on the JVM's signal thread: hand work over, do not block it. */
    static void onHangup(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), s -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.info("SIGHUP is not available here ({}); TLS files are still reloaded when they change", e.toString());
        }
    }
}
