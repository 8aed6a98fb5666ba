package io.lasthop.edge.transport;

import io.lasthop.edge.http.Endpoint;

/**
 * How a transport is reached: its name (in hello, metrics and the client) and the endpoint at its
 * path. Each transport package makes its own; the server mounts them.
 */
public record TransportRoute(String name, String path, Endpoint endpoint) {}
