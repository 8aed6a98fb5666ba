package io.lasthop.edge.http;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open a WebSocket (cross-site WebSocket hijacking) and read responses
 * through CORS: the edge's own origin, and the configured ones ({@code *} allows any).
 */
public final class OriginPolicy {
    private final Set<String> allowed;

    public OriginPolicy(Set<String> allowed) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    public Set<String> allowed() {
        return allowed;
    }

    public boolean allowsAny() {
        return allowed.contains("*");
    }

    /**
     * True for requests without an {@code Origin} (not a browser, or a same-origin navigation), for
     * an origin whose host and port are the request's {@code Host}, and for configured origins.
     */
    public boolean allows(String origin, String host) {
        if (origin == null || allowsAny()) {
            return true;
        }
        String o = normalize(origin);
        if (allowed.contains(o)) {
            return true;
        }
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(o);
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            String h = host.toLowerCase(Locale.ROOT);
            return authority != null && (authority.equals(h) || authority.equals(stripDefaultPort(h, uri.getScheme())));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String stripDefaultPort(String host, String scheme) {
        if ("http".equals(scheme) && host.endsWith(":80")) {
            return host.substring(0, host.length() - 3);
        }
        if ("https".equals(scheme) && host.endsWith(":443")) {
            return host.substring(0, host.length() - 4);
        }
        return host;
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
