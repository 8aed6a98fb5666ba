package io.lasthop.edge.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The edge's configuration: an immutable map from {@link Setting} to value, where every key not set
 * explicitly has its default. Sources, weakest first: defaults, a properties file, the environment.
 */
public final class EdgeConfig {
    public static final EdgeConfig DEFAULT = new EdgeConfig(Map.of());

    private final Map<Setting<?>, Object> explicit;
    private final Map<Setting<?>, Object> values;

    private EdgeConfig(Map<Setting<?>, Object> explicit) {
        Map<Setting<?>, Object> all = new HashMap<>(explicit);
        for (Setting<?> s : Settings.ALL) {
            if (!all.containsKey(s) && s.defaultText() != null) {
                all.put(s, s.parse(s.defaultText()));
            }
        }
        this.explicit = Map.copyOf(explicit);
        this.values = Map.copyOf(all);
    }

    /** The value, or null for a key with no default that was not set. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    public static Builder newBuilder() {
        return new Builder(new HashMap<>());
    }

    public Builder toBuilder() {
        return new Builder(new HashMap<>(explicit));
    }

    /**
     * Loads the file (if not null) and then the environment, which overrides the file. Unknown keys
     * in the file are an error, so a typo cannot silently fall back to a default.
     */
    public static EdgeConfig load(Path file, Map<String, String> env) throws IOException {
        Builder b = newBuilder();
        if (file != null) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            }
            for (String name : props.stringPropertyNames()) {
                Setting<?> s = Settings.ALL.stream()
                        .filter(x -> x.key().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(file + ": unknown key \"" + name + "\""));
                b.parse(s, props.getProperty(name));
            }
        }
        for (Setting<?> s : Settings.ALL) {
            String v = env.get(s.env());
            if (v != null) {
                b.parse(s, v);
            }
        }
        return b.build();
    }

    /** Lists every key, its environment variable, its default and its meaning. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        for (Setting<?> s : Settings.ALL) {
            sb.append("# ").append(s.doc()).append('\n');
            sb.append(s.key())
                    .append(" (")
                    .append(s.env())
                    .append(") = ")
                    .append(s.defaultText() == null ? "<unset>" : s.defaultText())
                    .append("\n\n");
        }
        return sb.toString();
    }

    public static final class Builder {
        private final Map<Setting<?>, Object> values;

        private Builder(Map<Setting<?>, Object> values) {
            this.values = values;
        }

        public <T> Builder set(Setting<T> setting, T value) {
            if (value == null) {
                values.remove(setting);
            } else {
                values.put(setting, value);
            }
            return this;
        }

        Builder parse(Setting<?> setting, String text) {
            values.put(setting, setting.parse(text));
            return this;
        }

        public EdgeConfig build() {
            return new EdgeConfig(values);
        }
    }
}
