package io.lasthop.bench.probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** Readings of an edge through its {@code /metrics} (Prometheus text). */
public final class EdgeProbes {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EdgeProbes() {}

    /**
     * A gauge from the edge's {@code /metrics}, summed over its label sets; NaN if the edge does
     * not answer or has no such metric.
     */
    public static double gauge(String host, int port, String name) {
        String text = metrics(host, port);
        return text == null ? Double.NaN : parseGauge(text, name);
    }

    /** The edge's {@code /metrics} (Prometheus text), or null if it does not answer 200 within 5 s. */
    public static String metrics(String host, int port) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A metric's samples in Prometheus text by the value of one label, e.g. {@code
     * lasthop_closes_total} by {@code reason}; samples without that label are left out.
     */
    public static Map<String, Double> byLabel(String text, String name, String label) {
        Map<String, Double> out = new TreeMap<>();
        String key = label + "=\"";
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{")) {
                int at = line.indexOf(key, name.length());
                int close = line.lastIndexOf('}');
                if (at < 0 || at > close) {
                    continue;
                }
                int from = at + key.length();
                String value = line.substring(from, line.indexOf('"', from));
                out.merge(value, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return out;
    }

    /** The sum of a metric's samples in Prometheus text, or NaN if it has none. */
    public static double parseGauge(String text, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.startsWith(name)
                    && line.length() > name.length()
                    && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }
}
