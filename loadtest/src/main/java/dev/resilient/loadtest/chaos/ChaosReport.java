package dev.resilient.loadtest.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Turns chaos runs' records into the tables of loadtest/results/summary.md and checks each scenario's expectations.
 *
 * <ul>
 *   <li>{@code scenario <name> <run dir> <summary file> [chart copy]}: the run's table and expectations, printed and
 *       appended to the summary; its over-time chart as {@code chart.svg} in the run folder (and copied); exit status
 *       1 if an expectation failed.
 *   <li>{@code overview <summary file> <run dir>...}: one line per run, appended to the summary.
 *   <li>{@code bench <summary file> <run dir>...}: throughput and latency of healthy runs (make bench), printed and
 *       appended.
 *   <li>{@code scenarios}: every scenario's name, one a line, those that need several replicas marked
 *       {@code replicated}: the list loadtest/chaos.sh runs.
 * </ul>
 */
public final class ChaosReport {

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private ChaosReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length >= 4 && args[0].equals("scenario")) {
            var chartCopy = args.length > 4 ? Path.of(args[4]) : null;
            System.exit(scenario(Scenario.byId(args[1]), Path.of(args[2]), Path.of(args[3]), chartCopy) ? 0 : 1);
        } else if (args.length >= 3 && (args[0].equals("overview") || args[0].equals("bench"))) {
            var runs = new ArrayList<RunRecord>();
            for (int i = 2; i < args.length; i++) {
                runs.add(RunRecord.read(Path.of(args[i])));
            }
            var table = args[0].equals("overview") ? overview(runs) : bench(runs);
            System.out.print(table);
            append(Path.of(args[1]), table);
        } else if (args.length == 1 && args[0].equals("scenarios")) {
            for (var scenario : Scenario.values()) {
                System.out.println(scenario.id() + (scenario.needsReplicas() ? " replicated" : ""));
            }
        } else {
            System.err.println("usage: ChaosReport scenario <name> <run dir> <summary file> [chart copy]\n"
                    + "       ChaosReport overview|bench <summary file> <run dir>...\n"
                    + "       ChaosReport scenarios");
            System.exit(2);
        }
    }

    /** A path as the summary file links it: relative to its folder, so no result names a machine's checkout. */
    private static Path fromSummary(Path summary, Path target) {
        return summary.toAbsolutePath().getParent().relativize(target.toAbsolutePath());
    }

    /** Reports one run and checks its scenario's expectations; true when all of them held. */
    static boolean scenario(Scenario scenario, Path dir, Path summary, Path chartCopy) throws IOException {
        var run = RunRecord.read(dir);
        var chart = dir.resolve("chart.svg");
        Files.writeString(chart, OverTimeChart.render(run));
        if (chartCopy != null) {
            Files.createDirectories(chartCopy.toAbsolutePath().getParent());
            Files.copy(chart, chartCopy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        var out = new StringBuilder();
        var faultFrom = (run.faultStartMs() - run.loadStartMs()) / 1000.0;
        var faultTo = (run.faultEndMs() - run.loadStartMs()) / 1000.0;
        out.append(String.format(Locale.ROOT, "%n### %s: %s%n%n", scenario.id(), scenario.fault()));
        out.append(String.format(Locale.ROOT,
                "%s, %d users for %d s; fault from %.0f s to %.0f s of the load (healed at %.0f s); chart: %s; "
                        + "Gatling report: %s%n%n",
                WHEN.format(Instant.ofEpochMilli(run.loadStartMs())), run.users(), run.durationSeconds(), faultFrom,
                faultTo, faultTo, chartCopy == null ? chart : fromSummary(summary, chartCopy),
                fromSummary(summary, run.dir.resolve("gatling"))));
        out.append(requestTable(run));
        out.append('\n');
        var operations = Stats.of(run.requests(Expectation.kind(Request.OPERATION)));
        out.append(String.format(Locale.ROOT,
                "- breaker transitions: api %s; worker %s%n", transitions(run.breakerTransitions("api")),
                transitions(run.breakerTransitions("worker"))));
        out.append(String.format(Locale.ROOT,
                "- deferred operations: %d answered 202, %d completed, %d failed, %d unknown; %d dead-lettered%n",
                run.requests(request -> request.kind().equals(Request.WRITE) && request.status().equals("202"))
                        .size(),
                operations.status("completed"), operations.status("failed"), operations.status("unknown"),
                run.deadLettered()));
        var recovery = Expectation.recoveryMillis(run);
        out.append("- recovery: ")
                .append(recovery <= 0 ? "no read or write refused after the heal"
                        : "last read or write refused " + Expectation.seconds(recovery) + " after the heal")
                .append('\n');
        out.append(String.format(Locale.ROOT,
                "- ledger: %s: %d acknowledged writes, %d lost, %d wrong content, %d resurrected, %d duplicate, "
                        + "%d phantom; %d of unknown outcome, %d rejected%n",
                run.ledgerFailed() ? "FAILED" : "OK", run.ledger("acknowledged writes"), run.ledger("lost"),
                run.ledger("wrong content"), run.ledger("resurrected"), run.ledger("duplicate"),
                run.ledger("phantom"), run.ledger("writes of unknown outcome"), run.ledger("writes rejected")));
        // CHAOS_CHECK=guarantees (CI's short profile) enforces only the guarantees; the degradation expectations
        // are still evaluated and printed, marked as not enforced.
        var enforceDegradation = !"guarantees".equals(System.getenv("CHAOS_CHECK"));
        out.append("- expectations").append(enforceDegradation ? ":\n" : " (degradation not enforced: CHAOS_CHECK=guarantees):\n");
        var allMet = true;
        for (var expectation : scenario.expectations()) {
            var outcome = expectation.evaluate(run);
            var enforced = enforceDegradation || scenario.guarantees().contains(expectation);
            allMet &= outcome.met() || !enforced;
            var mark = outcome.met() ? "[met]" : enforced ? "[NOT MET]" : "[not met, not enforced]";
            out.append(String.format(Locale.ROOT, "  - %s %s (%s)%n", mark, expectation.claim(), outcome.observed()));
        }
        out.append(String.format(Locale.ROOT, "- verdict: **%s**%n", allMet ? "PASS" : "FAIL"));
        Files.writeString(dir.resolve("verdict.txt"), allMet ? "PASS\n" : "FAIL\n");
        System.out.print(out);
        append(summary, out.toString());
        return allMet;
    }

    private static String requestTable(RunRecord run) {
        var out = new StringBuilder(
                "| requests | answers | per s | p50 ms | p95 ms | p99 ms | max ms | statuses |\n"
                        + "|---|--:|--:|--:|--:|--:|--:|---|\n");
        var loadSeconds = Math.max(1, (run.loadEndMs() - run.loadStartMs()) / 1000.0);
        var faultSeconds = Math.max(1, (run.faultEndMs() - run.faultStartMs()) / 1000.0);
        for (var kind : List.of(Request.READ, Request.WRITE, Request.POLL)) {
            out.append(row(kind, run.requests(Expectation.kind(kind)), loadSeconds));
            out.append(row(kind + ", during the fault", run.duringFault(Expectation.kind(kind)), faultSeconds));
        }
        out.append(row("all requests", run.requests(Request::isHttp), loadSeconds));
        out.append(row("deferred operation, 202 to final", run.requests(Expectation.kind(Request.OPERATION)),
                loadSeconds));
        return out.toString();
    }

    private static String row(String label, List<Request> requests, double seconds) {
        var stats = Stats.of(requests);
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %d | %d | %d | %d | %s |%n", label, stats.count(),
                stats.count() / seconds, stats.p50(), stats.p95(), stats.p99(), stats.max(), stats.statusText());
    }

    private static String transitions(Map<String, Long> transitions) {
        var changed = transitions.entrySet().stream()
                .filter(entry -> entry.getValue() > 0)
                .map(entry -> entry.getKey() + " " + entry.getValue())
                .collect(Collectors.joining(", "));
        return changed.isEmpty() ? "none" : changed;
    }

    private static String overview(List<RunRecord> runs) throws IOException {
        var out = new StringBuilder("\n## Overview\n\n"
                + "| scenario | req/s | read p99 ms | write p99 ms | 503s | errors | deferred / completed "
                + "| breaker transitions (api) | recovery | ledger | verdict |\n"
                + "|---|--:|--:|--:|--:|--:|---|---|---|---|---|\n");
        for (var run : runs) {
            var all = run.requests(Request::isHttp);
            var seconds = Math.max(1, (run.loadEndMs() - run.loadStartMs()) / 1000.0);
            var operations = Stats.of(run.requests(Expectation.kind(Request.OPERATION)));
            var recovery = Expectation.recoveryMillis(run);
            var verdictFile = run.dir.resolve("verdict.txt");
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %d | %d | %d | %d | %d / %d | %s | %s | %s | %s |%n",
                    run.scenario(), all.size() / seconds,
                    Stats.percentile(run.requests(Expectation.kind(Request.READ)), 99),
                    Stats.percentile(run.requests(Expectation.kind(Request.WRITE)), 99),
                    count(all, request -> request.status().equals("503")), count(all, Request::isError),
                    operations.count(), operations.status("completed"), transitions(run.breakerTransitions("api")),
                    recovery <= 0 ? "-" : Expectation.seconds(recovery),
                    run.ledgerFailed() ? "FAILED" : "OK",
                    Files.exists(verdictFile) ? Files.readString(verdictFile).trim() : "not checked"));
        }
        return out.toString();
    }

    private static String bench(List<RunRecord> runs) {
        var out = new StringBuilder("\n| users | req/s | read p50 / p95 / p99 ms | write p50 / p95 / p99 ms "
                + "| all p50 / p95 / p99 ms | non-2xx/404 answers |\n|--:|--:|---|---|---|--:|\n");
        for (var run : runs) {
            // bench.sh measures once every user runs, to just before the end
            long from = run.runProperty("measured.from.ms");
            long to = run.runProperty("measured.to.ms");
            Predicate<Request> measured = request -> request.within(from, to);
            var all = run.requests(measured.and(Request::isHttp));
            var seconds = Math.max(1, (to - from) / 1000.0);
            out.append(String.format(Locale.ROOT, "| %d | %.0f | %s | %s | %s | %d |%n", run.users(),
                    all.size() / seconds, percentiles(run.requests(measured.and(Expectation.kind(Request.READ)))),
                    percentiles(run.requests(measured.and(Expectation.kind(Request.WRITE)))), percentiles(all),
                    count(all, request -> !request.isSuccess() && !request.status().equals("404"))));
        }
        return out.toString();
    }

    private static String percentiles(List<Request> requests) {
        var stats = Stats.of(requests);
        return stats.p50() + " / " + stats.p95() + " / " + stats.p99();
    }

    private static long count(List<Request> requests, Predicate<Request> matching) {
        return requests.stream().filter(matching).count();
    }

    private static void append(Path file, String text) throws IOException {
        var parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
