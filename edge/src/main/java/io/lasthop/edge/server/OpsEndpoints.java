package io.lasthop.edge.server;

import io.lasthop.edge.auth.DevTokens;
import io.lasthop.edge.http.Endpoint;
import io.lasthop.edge.http.HttpResponses;
import io.lasthop.edge.metrics.EdgeMetrics;
import io.lasthop.edge.metrics.ScrapeCache;
import io.lasthop.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Endpoints for operators and developers: health, readiness, metrics, and dev tokens. */
final class OpsEndpoints {
    private OpsEndpoints() {}

    /** {@code /healthz}: the process serves HTTP. */
    static Endpoint health() {
        return (ctx, req, q) -> HttpResponses.text(ctx, req, HttpResponseStatus.OK, "text/plain", "ok\n");
    }

    /** {@code /readyz}: 200 while the broker is connected and the node takes new sessions, else 503. */
    static Endpoint ready(BooleanSupplier ready, Supplier<String> why) {
        return (ctx, req, q) -> {
            if (ready.getAsBoolean()) {
                HttpResponses.text(ctx, req, HttpResponseStatus.OK, "text/plain", "ready\n");
            } else {
                HttpResponses.text(
                        ctx,
                        req,
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "text/plain",
                        "not ready: " + why.get() + "\n");
            }
        };
    }

    /** {@code /metrics}: Prometheus text format, at most {@link ScrapeCache#MAX_AGE_MS} old. */
    static Endpoint metrics(EdgeMetrics metrics) {
        ScrapeCache cache = new ScrapeCache(metrics::scrape);
        return (ctx, req, q) -> HttpResponses.send(
                ctx,
                req,
                HttpResponses.response(
                        HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", cache.page()));
    }

    /**
     * A file from the classpath, e.g. the demo page; 404 with what to do when it was not built in.
     */
    static Endpoint resource(String path, String contentType) {
        byte[] body;
        try (java.io.InputStream in = OpsEndpoints.class.getResourceAsStream(path)) {
            body = in == null ? null : in.readAllBytes();
        } catch (java.io.IOException e) {
            body = null;
        }
        byte[] bytes = body;
        return (ctx, req, q) -> {
            if (bytes == null) {
                HttpResponses.error(
                        ctx,
                        req,
                        HttpResponseStatus.NOT_FOUND,
                        ErrorCode.NOT_FOUND,
                        path + " is not in this build; build from the repository root with mvn package, "
                                + "which builds the JavaScript client too");
                return;
            }
            HttpResponses.send(ctx, req, HttpResponses.response(HttpResponseStatus.OK, contentType, bytes));
        };
    }

    /**
     * {@code /dev/token?sub=USER[&ttl=SECONDS]}: mints a token with the dev secret, allowed to use
     * the demo's topics. Dev mode only.
     */
    static Endpoint devToken(byte[] devSecret) {
        return (ctx, req, q) -> {
            List<String> sub = q.parameters().get("sub");
            if (sub == null || sub.isEmpty() || sub.get(0).isEmpty()) {
                HttpResponses.error(
                        ctx,
                        req,
                        HttpResponseStatus.BAD_REQUEST,
                        ErrorCode.BAD_REQUEST,
                        "give the user id: /dev/token?sub=alice");
                return;
            }
            long ttl = 3600;
            List<String> ttlParam = q.parameters().get("ttl");
            if (ttlParam != null && !ttlParam.isEmpty()) {
                try {
                    ttl = Long.parseLong(ttlParam.get(0));
                } catch (NumberFormatException e) {
                    HttpResponses.error(
                            ctx,
                            req,
                            HttpResponseStatus.BAD_REQUEST,
                            ErrorCode.BAD_REQUEST,
                            "ttl is a number of seconds");
                    return;
                }
            }
            String token = DevTokens.mintForDemo(devSecret, sub.get(0), Duration.ofSeconds(ttl));
            HttpResponses.json(ctx, req, ("{\"token\":\"" + token + "\"}").getBytes(StandardCharsets.US_ASCII));
        };
    }
}
