package io.lasthop.ops;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which series a PromQL expression of the dashboard or the alerts reads, to hold it against what an edge exports. */
final class PromQl {
    /** HAProxy's, RabbitMQ's, Kubernetes' and Prometheus' own series, which no edge exports. */
    static final Pattern EXTERNAL = Pattern.compile("up|(haproxy|rabbitmq|kube)_[a-z0-9_]+");

    private static final Pattern IDENT = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "inf", "nan", "offset");

    private PromQl() {}

    /** The series a PromQL expression reads: what is left once labels, functions and durations are gone. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // label values
                .replaceAll("\\$\\{?\\w+}?", "") // Grafana variables
                .replaceAll("\\[[^\\]]*]", "") // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ") // label lists
                .replaceAll("\\b[a-zA-Z_]\\w*\\s*(=~|!~|!=|=)(?!=)", " ") // label matchers
                .replaceAll("\\b[a-zA-Z_]\\w*\\s*\\(", "(") // functions and aggregations
                .replaceAll("\\boffset\\s+\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(bare);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }
}
