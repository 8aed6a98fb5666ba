package io.lasthop.edge.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;

/** Netty's CORS configuration for the allowed origins: preflights, and headers on responses. */
public final class Cors {
    private Cors() {}

    /**
     * @param exposedHeaders response headers that scripts of allowed origins may read
     * @return null when no cross-origin access is configured
     */
    public static CorsConfig config(OriginPolicy origins, boolean credentials, CharSequence... exposedHeaders) {
        if (origins.allowed().isEmpty()) {
            return null;
        }
        CorsConfigBuilder b = origins.allowsAny()
                ? CorsConfigBuilder.forAnyOrigin()
                : CorsConfigBuilder.forOrigins(origins.allowed().toArray(String[]::new));
        b.allowedRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS)
                .allowedRequestHeaders(HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_TYPE, "Last-Event-ID")
                .exposeHeaders(exposedHeaders)
                .maxAge(600);
        if (credentials) {
            b.allowCredentials();
        }
        return b.build();
    }
}
