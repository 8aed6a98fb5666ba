package io.lasthop.bench;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** Percentiles of a latency histogram recorded in microseconds, and their formatting in ms. */
public record LatencySummary(long count, long p50Us, long p90Us, long p99Us, long p999Us, long maxUs, double meanUs) {

    public static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
                h.getTotalCount(),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(90),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue(),
                h.getMean());
    }

    /** Milliseconds with 2 decimals below 10 ms, 1 below 100 ms, none above; "–" with no data. */
    public static String ms(long us) {
        double ms = us / 1000.0;
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    /** {@code p50 / p90 / p99 / p99.9 / max} in ms, or "no data". */
    public String format() {
        if (count == 0) {
            return "no data";
        }
        return ms(p50Us) + " / " + ms(p90Us) + " / " + ms(p99Us) + " / " + ms(p999Us) + " / " + ms(maxUs);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("p50_us", p50Us);
        m.put("p90_us", p90Us);
        m.put("p99_us", p99Us);
        m.put("p999_us", p999Us);
        m.put("max_us", maxUs);
        m.put("mean_us", Math.round(meanUs * 10) / 10.0);
        return m;
    }

    /** A histogram as compact base64, to pass between processes and keep in the raw JSON. */
    public static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    public static Histogram decode(String b64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(b64)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("bad histogram: " + e.getMessage(), e);
        }
    }
}
