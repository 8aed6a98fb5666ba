package io.lasthop.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small SVG line chart, written by hand so the harness needs no plotting library. */
public final class LineChart {
    /** One line; {@code dashed} tells a baseline from the system under test. NaN points are skipped. */
    public record Series(String name, String color, boolean dashed, double[] xs, double[] ys) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    public LineChart(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    public LineChart add(Series s) {
        series.add(s);
        return this;
    }

    public String render() {
        int w = 760;
        int h = 420;
        int left = 70;
        int right = 190;
        int top = 40;
        int bottom = 50;
        double xmin = Double.MAX_VALUE;
        double xmax = -Double.MAX_VALUE;
        double ymin = Double.MAX_VALUE;
        double ymax = -Double.MAX_VALUE;
        for (Series s : series) {
            for (int i = 0; i < s.xs().length; i++) {
                if (!ok(s.ys()[i])) {
                    continue;
                }
                xmin = Math.min(xmin, s.xs()[i]);
                xmax = Math.max(xmax, s.xs()[i]);
                ymin = Math.min(ymin, s.ys()[i]);
                ymax = Math.max(ymax, s.ys()[i]);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n",
                w,
                h,
                w,
                h));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(w / 2.0, 22, esc(title), "middle", 15));
        if (xmin == Double.MAX_VALUE) {
            sb.append(text(w / 2.0, h / 2.0, "no data", "middle", 14)).append("</svg>\n");
            return sb.toString();
        }
        if (xmax == xmin) {
            xmax = xmin + 1;
            xmin = xmin - 1;
        }
        double lo;
        double hi;
        List<Double> yticks = new ArrayList<>();
        if (logY) {
            lo = Math.floor(Math.log10(ymin));
            hi = Math.ceil(Math.log10(ymax));
            if (hi == lo) {
                hi = lo + 1;
            }
            for (double e = lo; e <= hi + 1e-9; e++) {
                yticks.add(Math.pow(10, e));
            }
        } else {
            double step = niceStep(ymax - Math.min(0, ymin));
            // A slightly negative point (noise around zero) does not earn a whole negative band.
            lo = ymin < -0.1 * step ? Math.floor(ymin / step) * step : 0;
            hi = Math.ceil(ymax / step) * step;
            if (hi == lo) {
                hi = lo + 1;
            }
            for (double v = lo; v <= hi + step / 2; v += step) {
                yticks.add(v);
            }
        }
        double pw = w - left - right;
        double ph = h - top - bottom;
        final double fxmin = xmin;
        final double fxmax = xmax;
        final double flo = lo;
        final double fhi = hi;
        java.util.function.DoubleUnaryOperator px = x -> left + (x - fxmin) / (fxmax - fxmin) * pw;
        java.util.function.DoubleUnaryOperator py = y -> {
            double v = logY ? Math.log10(Math.max(y, 1e-12)) : y;
            return top + ph - (v - flo) / (fhi - flo) * ph;
        };
        sb.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>\n",
                left,
                top,
                pw,
                ph));
        for (double y : yticks) {
            double yy = py.applyAsDouble(y);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
                    left,
                    left + pw,
                    yy,
                    yy));
            sb.append(text(left - 6, yy + 4, label(y), "end", 11));
        }
        double xstep = niceStep(xmax - xmin);
        for (double x = Math.ceil(xmin / xstep) * xstep; x <= xmax + 1e-9; x += xstep) {
            double xx = px.applyAsDouble(x);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n",
                    xx,
                    xx,
                    top,
                    top + ph));
            sb.append(text(xx, top + ph + 16, label(x), "middle", 11));
        }
        sb.append(text(left + pw / 2, h - 12, esc(xLabel), "middle", 12));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>\n",
                top + ph / 2,
                top + ph / 2,
                esc(yLabel + (logY ? " (log scale)" : ""))));
        int ly = top + 10;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < s.xs().length; i++) {
                if (ok(s.ys()[i])) {
                    pts.append(String.format(
                            Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(s.xs()[i]), py.applyAsDouble(s.ys()[i])));
                }
            }
            String dash = s.dashed() ? " stroke-dasharray=\"6 4\"" : "";
            sb.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                    pts.toString().trim(),
                    s.color(),
                    dash));
            for (int i = 0; i < s.xs().length; i++) {
                if (ok(s.ys()[i])) {
                    sb.append(String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                            px.applyAsDouble(s.xs()[i]),
                            py.applyAsDouble(s.ys()[i]),
                            s.color()));
                }
            }
            double lx = left + pw + 14;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                    lx,
                    lx + 24,
                    ly,
                    ly,
                    s.color(),
                    dash));
            sb.append(text(lx + 30, ly + 4, esc(s.name()), "start", 11));
            ly += 18;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static boolean ok(double v) {
        return !Double.isNaN(v) && !Double.isInfinite(v);
    }

    static double niceStep(double range) {
        if (range <= 0) {
            return 1;
        }
        double raw = range / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * mag;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>\n",
                x,
                y,
                anchor,
                size,
                s);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
