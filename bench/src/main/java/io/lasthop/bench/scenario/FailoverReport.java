package io.lasthop.bench.scenario;

import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.Section;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code broker-failover} scenario's report. */
final class FailoverReport {
    private FailoverReport() {}

    static Section render(int n, int rate, int seconds, int killAfter, List<FailoverScenario.Result> results) {
        StringBuilder md = new StringBuilder();
        md.append(Fmt.num(n, 0))
                .append(
                        " WebSocket sessions per peer on the 3-node cluster; the confirmed publisher (on node c1) sends ")
                .append(Fmt.num(rate, 0))
                .append(" msg/s to random users for ")
                .append(seconds)
                .append(" s; after ")
                .append(killAfter)
                .append(" s, `kill -9` of one node's beam.smp. Times are from the kill. \"Gap signal\": the client "
                        + "read a `close` frame 4102 `session_lost` (or 4101); it then starts a new session at once, "
                        + "as the JS client does when it emits `gap`. \"Re-attached\": sessions the edge moved to a "
                        + "surviving node without the client noticing (`lasthop_session_recoveries_total`, read every "
                        + "100 ms, so ±100 ms). \"Lost\": confirmed by the broker, never delivered; \"covered\": to a "
                        + "user whose client saw a gap signal. \"Shown duplicates\": second arrivals that the JS client's "
                        + "de-duplication window (1,000 ids per client) would not drop.\n\n");
        md.append("| | ");
        for (FailoverScenario.Result r : results) {
            md.append(r.role()).append(" | ");
        }
        md.append("\n|---|");
        results.forEach(r -> md.append("---|"));
        md.append('\n');
        row(md, results, "sessions opened", r -> r.connect().opened() + " of " + r.sessions());
        row(md, results, "session queues per node before the kill", r -> shortKeys(r.queuesPerNode()));
        row(md, results, "node killed (its queues)", r -> shortNode(r.victim()) + " (" + r.queuesOnVictim() + ")");
        row(md, results, "sessions told of a gap (clients)", r -> r.gapUsers() + " (" + codes(r.gapCodes()) + ")");
        row(md, results, "kill → gap signal, ms p50 / p99 / max", r -> pct(r.gapMs()));
        row(
                md,
                results,
                "kill → new session's hello, ms p50 / p99 / max",
                r -> pct(r.reopenMs()) + (r.reopenFailures() > 0 ? " (" + r.reopenFailures() + " failed)" : ""));
        row(md, results, "sessions re-attached by the edge", r -> Long.toString(r.reattached()));
        row(md, results, "kill → re-attached, ms p50 / p99 / max", r -> pct(r.reattachMs()));
        row(md, results, "every affected session (gap or re-attached), ms p50 / p99 / max", r -> {
            List<Long> all = new ArrayList<>(r.gapMs());
            all.addAll(r.reattachMs());
            return pct(all);
        });
        row(
                md,
                results,
                "published / confirmed / nacked",
                r -> r.published().sent() + " / " + r.published().confirmed() + " / "
                        + r.published().nacked());
        row(
                md,
                results,
                "publisher rate reached, msg/s",
                r -> Fmt.num(r.published().ratePerSecond(), 0));
        row(
                md,
                results,
                "delivered (distinct)",
                r -> Long.toString(r.delivered().unique()));
        row(md, results, "**lost** (confirmed, never delivered)", r -> "**" + r.lost() + "**");
        row(
                md,
                results,
                "lost, covered by a gap signal the client saw",
                r -> r.lost() + " of which " + r.lostCovered()
                        + (r.lost() == r.lostCovered() ? " (all)" : " (**" + (r.lost() - r.lostCovered()) + " not**)"));
        row(md, results, "users with lost messages", r -> Long.toString(r.lostUsers()));
        row(md, results, "second arrivals (redeliveries)", r -> Long.toString(r.secondArrivals()));
        row(md, results, "**duplicates shown to the application**", r -> "**" + r.shownDuplicates() + "**");
        row(md, results, "publish → client ms p50 / p90 / p99 / p99.9 / max", r -> r.latency()
                .format());
        row(md, results, "node started again (ms)", r -> r.restarted() + " (" + r.restartMs() + ")");
        row(md, results, "edge counters over the phase", r -> counters(r.edgeCounters()));

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("rate", rate);
        data.put("seconds", seconds);
        data.put("kill_after_s", killAfter);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (FailoverScenario.Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", r.role());
            m.put("opened", r.connect().opened());
            m.put("victim", r.victim());
            m.put("victim_pid", r.victimPid());
            m.put("queues_per_node", r.queuesPerNode());
            m.put("queues_on_victim", r.queuesOnVictim());
            m.put("sent", r.published().sent());
            m.put("confirmed", r.published().confirmed());
            m.put("nacked", r.published().nacked());
            m.put("unconfirmed", r.published().unconfirmed());
            m.put("delivered", r.delivered().unique());
            m.put("lost", r.lost());
            m.put("lost_covered", r.lostCovered());
            m.put("lost_users", r.lostUsers());
            m.put("gap_users", r.gapUsers());
            m.put("gap_signals", r.gapSignals());
            m.put("gap_codes", r.gapCodes());
            m.put("gap_ms", r.gapMs());
            m.put("reopen_ms", r.reopenMs());
            m.put("reopen_failures", r.reopenFailures());
            m.put("reattached", r.reattached());
            m.put("reattach_ms", r.reattachMs());
            m.put("second_arrivals", r.secondArrivals());
            m.put("shown_duplicates", r.shownDuplicates());
            m.put("latency", r.latency().toMap());
            m.put("histogram", r.histogram());
            m.put("restarted", r.restarted());
            m.put("restart_ms", r.restartMs());
            m.put("edge_counters", r.edgeCounters());
            m.put("client_stats", r.clientStats());
            rs.add(m);
        }
        data.put("results", rs);
        return new Section(
                "Scenario `broker-failover`: kill -9 of a broker node, classic and quorum",
                md.toString(),
                data,
                Map.of());
    }

    interface Cell {
        String of(FailoverScenario.Result r);
    }

    private static void row(StringBuilder md, List<FailoverScenario.Result> results, String label, Cell c) {
        md.append("| ").append(label).append(" | ");
        for (FailoverScenario.Result r : results) {
            md.append(c.of(r)).append(" | ");
        }
        md.append('\n');
    }

    static String pct(List<Long> ms) {
        if (ms.isEmpty()) {
            return "none";
        }
        List<Long> s = new ArrayList<>(ms);
        Collections.sort(s);
        return at(s, 50) + " / " + at(s, 99) + " / " + s.get(s.size() - 1) + " (" + s.size() + ")";
    }

    private static long at(List<Long> sorted, double p) {
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String codes(Map<Integer, Long> codes) {
        if (codes.isEmpty()) {
            return "no gap signal";
        }
        StringBuilder b = new StringBuilder();
        codes.forEach((k, v) ->
                b.append(b.length() == 0 ? "" : ", ").append(v).append(" × ").append(k));
        return b.toString();
    }

    private static String shortNode(String node) {
        int dash = node.indexOf('-');
        int dash2 = node.indexOf('-', dash + 1);
        return dash >= 0 && dash2 > dash ? node.substring(dash + 1, dash2) : node;
    }

    private static String shortKeys(Map<String, Integer> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ")
                .append(shortNode(k))
                .append(' ')
                .append(v));
        return b.toString();
    }

    private static String counters(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> {
            if (v instanceof Double d && d != 0 && !d.isNaN()) {
                b.append(b.length() == 0 ? "" : ", ")
                        .append('`')
                        .append(k.replace("lasthop_", "").replace("_total", ""))
                        .append("` ")
                        .append(Math.round(d));
            }
        });
        return b.length() == 0 ? "none" : b.toString();
    }
}
