package io.lasthop.edge.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/** Reading a request's query parameters. */
public final class QueryParams {
    private QueryParams() {}

    /** The first value of parameter {@code name}, or null. */
    public static String first(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
