package io.lasthop.edge.testing;

/** Where a node listens: an in-process {@link Edge}, a separate {@link EdgeProcess}, or a load balancer. */
public interface EdgeAddress {
    String http();

    default String ws() {
        return "ws" + http().substring(4);
    }

    /** An address of its own, e.g. HAProxy's. */
    static EdgeAddress of(String http) {
        return () -> http;
    }
}
