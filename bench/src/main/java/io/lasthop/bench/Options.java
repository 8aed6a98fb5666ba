package io.lasthop.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} and {@code --flag} arguments, with typed getters and defaults. */
public final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    public Options(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    values.put(key.substring(0, eq), key.substring(eq + 1));
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    values.put(key, args[++i]);
                } else {
                    values.put(key, "true");
                }
            } else {
                positional.add(a);
            }
        }
    }

    public List<String> positional() {
        return positional;
    }

    public String str(String key, String dflt) {
        return values.getOrDefault(key, dflt);
    }

    public int integer(String key, int dflt) {
        String v = values.get(key);
        return v == null ? dflt : Integer.parseInt(v.replace("_", "").replace(",", ""));
    }

    public long longValue(String key, long dflt) {
        String v = values.get(key);
        return v == null ? dflt : Long.parseLong(v.replace("_", ""));
    }

    public boolean flag(String key) {
        String v = values.get(key);
        return v != null && !v.equals("false");
    }

    public int[] ints(String key, String dflt) {
        return Arrays.stream(str(key, dflt).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt)
                .toArray();
    }

    /** A comma-separated list; empty when the option is absent. */
    public List<String> list(String key) {
        return Arrays.stream(str(key, "").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public Map<String, String> all() {
        return values;
    }
}
