package io.lasthop.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** One scenario's share of a report: Markdown, raw data for the JSON, and SVG plots by file suffix. */
public record Section(String title, String markdown, Map<String, Object> data, Map<String, String> svgs) {
    public static Section notImplemented(String name, String what) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("implemented", false);
        d.put("what", what);
        return new Section(
                name, "**Not implemented yet.** " + what + " No figures were measured for it.\n", d, Map.of());
    }
}
