package io.lasthop.bench.report;

import java.util.Locale;

/** Number formatting for reports. */
public final class Fmt {
    private Fmt() {}

    public static String bytes(double b) {
        if (b < 0 || Double.isNaN(b)) {
            return "not measured";
        }
        if (Math.abs(b) < 1024) {
            return String.format(Locale.ROOT, "%.0f B", b);
        }
        if (Math.abs(b) < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024);
        }
        if (Math.abs(b) < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / 1024 / 1024);
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / 1024 / 1024 / 1024);
    }

    /** A signed per-unit byte figure: deltas can be negative when the noise is larger than the signal. */
    public static String bytesDelta(double b) {
        if (Double.isNaN(b)) {
            return "not measured";
        }
        return (b < 0 ? "−" : "") + bytes(Math.abs(b));
    }

    public static String num(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "not measured";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    /**
     * {@code a / b} as "×1.23"; "n/a" when either is missing, or not positive (every figure here is
     * a cost or a rate: a zero or negative one is the noise of a shared machine, and a ratio of it
     * would mean nothing).
     */
    public static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b <= 0 || a < 0) {
            return "n/a";
        }
        double r = a / b;
        return "×"
                + (Math.abs(r) >= 100
                        ? String.format(Locale.ROOT, "%,.0f", r)
                        : Math.abs(r) >= 10
                                ? String.format(Locale.ROOT, "%.1f", r)
                                : String.format(Locale.ROOT, "%.2f", r));
    }
}
