package io.lasthop.edge.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: its name in a config file, its environment variable, its default and what
 * it means. Every key is declared once, in {@link Settings}.
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {
    private final String key;
    private final String defaultText;
    private final String doc;
    private final Function<String, T> parser;

    Setting(String key, String defaultText, String doc, Function<String, T> parser) {
        this.key = Objects.requireNonNull(key);
        this.defaultText = defaultText;
        this.doc = doc;
        this.parser = parser;
    }

    /** The name in a config file, e.g. {@code http.port}. */
    public String key() {
        return key;
    }

    /** The environment variable, e.g. {@code LASTHOP_HTTP_PORT}. */
    public String env() {
        return "LASTHOP_" + key.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /** The default as text; null when the key has no default. */
    public String defaultText() {
        return defaultText;
    }

    public String doc() {
        return doc;
    }

    T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(env() + " (" + key + "): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return key;
    }
}
