package io.lasthop.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LineChartTest {
    @Test
    void rendersSeriesLegendAndSkipsMissingPoints() {
        String svg = new LineChart("t <1>", "rate", "ms", true)
                .add(new LineChart.Series(
                        "Lasthop p99", "#d62728", false, new double[] {500, 1000, 2000}, new double[] {
                            1.5, Double.NaN, 3
                        }))
                .add(new LineChart.Series(
                        "raw p99", "#d62728", true, new double[] {500, 1000, 2000}, new double[] {0.8, 0.9, 1.1}))
                .render();
        assertTrue(svg.startsWith("<svg"));
        assertTrue(svg.contains("t &lt;1&gt;"));
        assertTrue(svg.contains("Lasthop p99") && svg.contains("raw p99"));
        assertTrue(svg.contains("stroke-dasharray"));
        assertEquals(5, svg.split("<circle").length - 1, "the NaN point is not drawn");
    }

    @Test
    void emptyChartSaysSo() {
        assertTrue(new LineChart("x", "x", "y", false).render().contains("no data"));
    }

    @Test
    void niceSteps() {
        assertEquals(500, LineChart.niceStep(2_000));
        assertEquals(0.2, LineChart.niceStep(1), 1e-12);
        assertEquals(1, LineChart.niceStep(5));
    }

    @Test
    void ratios() {
        assertEquals("×2.00", Fmt.ratio(2, 1));
        assertEquals("×0.50", Fmt.ratio(1, 2));
        assertEquals("×12.0", Fmt.ratio(12, 1));
        assertEquals("n/a", Fmt.ratio(1, 0));
        assertEquals("n/a", Fmt.ratio(Double.NaN, 1));
        assertEquals("n/a", Fmt.ratio(1, -0.001));
        assertEquals("n/a", Fmt.ratio(-2, 1));
        assertEquals("×0.00", Fmt.ratio(0, 1));
        assertEquals("1.5 KiB", Fmt.bytes(1_536));
        assertEquals("−2.0 KiB", Fmt.bytesDelta(-2_048));
    }
}
