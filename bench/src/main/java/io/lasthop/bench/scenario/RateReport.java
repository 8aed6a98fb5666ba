package io.lasthop.bench.scenario;

import io.lasthop.bench.LatencySummary;
import io.lasthop.bench.client.Transport;
import io.lasthop.bench.report.Fmt;
import io.lasthop.bench.report.LineChart;
import io.lasthop.bench.report.Section;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code rate} scenario's section of the report: latency, delivery and saturation per rate and
 * peer with the ratios A/B (and A/C), every phase in the order run, CPU per 1,000 messages by
 * process, client bytes per message, and the latency-vs-rate plot.
 */
final class RateReport {
    private RateReport() {}

    static Section render(
            int n,
            Transport t,
            int[] sizes,
            long seed,
            int stepSeconds,
            Map<String, Object> setup,
            List<Phase> phases,
            List<String> peers) {
        List<Phase> real = phases.stream().filter(p -> !p.warmup()).toList();
        boolean withC = peers.contains("web-stomp");
        TreeSet<Integer> rates = new TreeSet<>();
        real.forEach(p -> rates.add(p.targetRate()));
        StringBuilder md = new StringBuilder();
        boolean apart = Boolean.TRUE.equals(setup.get("peers_apart"));
        md.append(String.format(
                "%,d sessions: A = Lasthop over %s, B = raw AMQP consumers (one queue per user)%s, "
                        + (apart ? "one peer connected at a time (`--peers-apart`)." : "all connected throughout.")
                        + " Each phase publishes rate × %d s messages of %s bytes (seeded schedule, "
                        + "seed %d; the same plan for every peer) to random users, persistent, with confirms; phases run "
                        + "%s. Latency is publish → client decode, the rounds' histograms merged. Sessions opened: "
                        + "A %s, B %s%s; connect rate A %s/s, B %s/s%s.%n%n",
                n,
                t.wireName,
                withC
                        ? ", C = RabbitMQ Web-STOMP on its own broker node (same publisher code, its "
                                + "own AMQP connection to that node)"
                        : "",
                stepSeconds,
                java.util.Arrays.toString(sizes),
                seed,
                apart ? "all of A's, then all of B's" : withC ? "A/B/C/A/B/C" : "A/B/A/B",
                setup.get("edge_sessions_opened"),
                setup.get("raw_consumers_opened"),
                withC ? ", C " + setup.get("stomp_connections_opened") : "",
                setup.get("edge_connect_per_s"),
                setup.get("raw_connect_per_s"),
                withC ? ", C " + setup.get("stomp_connect_per_s") + "/s" : ""));
        md.append(
                "| rate/s | peer | published (confirmed) | delivered | lost | dup | p50 / p90 / p99 / p99.9 / max, ms "
                        + "| p50 A/B | p99 A/B | p99.9 A/B |" + (withC ? " p50 A/C | p99 A/C | p99.9 A/C |" : "")
                        + " saturated |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|" + (withC ? "---|---|---|" : "") + "---|\n");
        Map<String, Map<Integer, LatencySummary>> merged = PhaseFigures.mergedLatency(real, peers, rates);
        for (int rate : rates) {
            LatencySummary la = merged.get("lasthop").get(rate);
            LatencySummary lb = merged.get("raw-amqp").get(rate);
            LatencySummary lc = withC ? merged.get("web-stomp").get(rate) : null;
            for (String peer : peers) {
                List<Phase> ps = PhaseFigures.of(real, rate, peer);
                long pubd =
                        ps.stream().mapToLong(p -> p.published().confirmed()).sum();
                long del = ps.stream().mapToLong(p -> p.delivered().unique()).sum();
                long lost = ps.stream().mapToLong(Phase::lost).sum();
                long dup =
                        ps.stream().mapToLong(p -> p.delivered().duplicates()).sum();
                List<String> sat = ps.stream()
                        .flatMap(p -> p.saturation().stream())
                        .distinct()
                        .toList();
                boolean a = peer.equals("lasthop");
                md.append(String.format(
                        "| %,d | %s | %,d | %,d | %,d | %,d | %s | %s | %s | %s |",
                        rate,
                        PhaseFigures.LABEL.get(peer),
                        pubd,
                        del,
                        lost,
                        dup,
                        merged.get(peer).get(rate).format(),
                        a ? Fmt.ratio(la.p50Us(), lb.p50Us()) : "",
                        a ? Fmt.ratio(la.p99Us(), lb.p99Us()) : "",
                        a ? Fmt.ratio(la.p999Us(), lb.p999Us()) : ""));
                if (withC) {
                    md.append(String.format(
                            " %s | %s | %s |",
                            a ? Fmt.ratio(la.p50Us(), lc.p50Us()) : "",
                            a ? Fmt.ratio(la.p99Us(), lc.p99Us()) : "",
                            a ? Fmt.ratio(la.p999Us(), lc.p999Us()) : ""));
                }
                md.append(String.format(" %s |%n", sat.isEmpty() ? "no" : String.join("; ", sat)));
            }
        }
        md.append(AckedFloor.render(rates, merged, real, setup, withC));
        md.append("\nEach phase, in the order run (the spread between rounds is the noise floor of this machine):\n\n"
                + "| phase | rate/s | round | peer | p50 / p90 / p99 / p99.9 / max, ms | publisher reached /s | publisher "
                + "max lateness, ms | drain, ms | lost | dup |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Phase p : phases) {
            md.append(String.format(
                    "| %d | %,d | %s | %s | %s | %,.0f | %s | %,d | %,d | %,d |%n",
                    p.index(),
                    p.targetRate(),
                    p.warmup() ? "warm-up" : Integer.toString(p.round()),
                    p.peer(),
                    p.latency().format(),
                    p.published().ratePerSecond(),
                    Fmt.num(p.published().maxLagNanos() / 1e6, 1),
                    p.drainMs(),
                    p.lost(),
                    p.delivered().duplicates()));
        }
        md.append("\nCPU seconds per 1,000 delivered messages, by process (mean of rounds), with the cores it kept "
                + "busy during the phase. At low rates the fixed cost of holding the sessions (heartbeats, timers, GC) "
                + "weighs on the per-message figure. A and B share a broker with other work on this machine, so their "
                + "broker figure is an upper bound" + (withC ? "; C's broker is its own node" : "") + ". The harness "
                + "runs the publisher and the clients (A, C) or consumers (B).\n\n"
                + "| rate/s | process | Lasthop (A) | raw AMQP (B) | A / B |"
                + (withC ? " Web-STOMP (C) | A / C |" : "")
                + "\n|---|---|---|---|---|" + (withC ? "---|---|" : "") + "\n");
        for (int rate : rates) {
            PhaseFigures.cpuRows(md, withC, rate, real, peers, "**serving** (A: edge + broker; B, C: broker)");
        }
        StringBuilder waits = new StringBuilder();
        for (int rate : rates) {
            Map<String, List<Phase>> columns = new LinkedHashMap<>();
            for (String peer : peers) {
                for (Phase p : PhaseFigures.of(real, rate, peer)) {
                    columns.computeIfAbsent(
                                    PhaseFigures.LABEL.getOrDefault(peer, peer) + ", round " + p.round(),
                                    k -> new java.util.ArrayList<>())
                            .add(p);
                }
            }
            String table = SchedShares.table(rate, columns);
            if (!table.isEmpty()) {
                waits.append(waits.length() == 0 ? "" : "\n").append(table);
            }
        }
        if (waits.length() > 0) {
            md.append("\nWhere each process ran and waited for a core, per delivered message, each round: CPU time "
                            + "and time runnable but waiting on a run queue, in microseconds, from the kernel's "
                            + "`/proc/PID/task/TID/schedstat`, by thread group (thread names without the numbers that tell its threads apart); each "
                            + "process's total first, then its groups that waited most. A delivery crosses threads of "
                            + "the broker, the edge (A) and the client; each crossing may wait for a core.\n\n")
                    .append(waits);
        }
        md.append(String.format(
                "%nClient bytes read per delivered message over %s (frames, headers and pings included): "
                        + "%s, for a mean body of %s bytes. AMQP connections/channels: edge %s; raw peer %s.%n",
                t.wireName,
                Fmt.num(PhaseFigures.clientBytesRead(real), 0),
                Fmt.num(PhaseFigures.meanPayload(real), 0),
                PhaseFigures.amqpUse(setup.get("edge_amqp")),
                PhaseFigures.amqpUse(setup.get("raw_amqp"))));
        md.append("\n![latency vs rate](%STEM%-rate-latency.svg)\n");

        LineChart c = new LineChart(
                "End-to-end latency vs publish rate (" + t.wireName + ", raw AMQP" + (withC ? ", Web-STOMP" : "") + ")",
                "messages per second",
                "ms",
                true);
        PhaseFigures.latencyLines(
                c, rates.stream().mapToDouble(Integer::doubleValue).toArray(), peers, merged);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessions", n);
        data.put("transport", t.wireName);
        data.put("peers", peers);
        data.put("sizes", sizes);
        data.put("seed", seed);
        data.put("step_seconds", stepSeconds);
        data.put("setup", setup);
        data.put("phases", phases);
        return new Section(
                "Rising rates, user-addressed (scenario `rate`)",
                md.toString(),
                data,
                Map.of("rate-latency.svg", c.render()));
    }
}
