package dev.resilient.loadtest.chaos;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Everything one chaos run left in its folder (see chaos.sh): the simulation's request log, the run's facts in
 * {@code run.properties} (scenario, load, when the fault began and ended, dead-letter queue depths), the services'
 * metrics scraped before the load, as the fault began ({@code fault}), just before it was healed ({@code heal}) and
 * after the run settled ({@code after}), and the ledger check's counts ({@code verdict.properties}).
 */
final class RunRecord {

    final Path dir;
    final List<Request> requests;
    private final Properties run;
    private final Properties verdict;
    private final Properties operations;

    private RunRecord(Path dir, List<Request> requests, Properties run, Properties verdict, Properties operations) {
        this.dir = dir;
        this.requests = requests;
        this.run = run;
        this.verdict = verdict;
        this.operations = operations;
    }

    static RunRecord read(Path dir) throws IOException {
        var requests = Files.readAllLines(dir.resolve("requests.tsv")).stream()
                .skip(1) // the header
                .filter(line -> !line.isBlank())
                .map(Request::parse)
                .sorted(Comparator.comparingLong(Request::endMs))
                .toList();
        return new RunRecord(
                dir,
                requests,
                properties(dir.resolve("run.properties")),
                properties(dir.resolve("verdict.properties")),
                properties(dir.resolve("operations.properties")));
    }

    String scenario() {
        return run.getProperty("scenario");
    }

    int users() {
        return Integer.parseInt(run.getProperty("users"));
    }

    long durationSeconds() {
        return Long.parseLong(run.getProperty("duration"));
    }

    long loadStartMs() {
        return requests.isEmpty() ? faultStartMs() : requests.get(0).endMs();
    }

    long loadEndMs() {
        return requests.isEmpty() ? faultEndMs() : requests.get(requests.size() - 1).endMs();
    }

    /** When the fault was applied (for baseline: the middle third of the run, as if it had been). */
    long faultStartMs() {
        return Long.parseLong(run.getProperty("fault.start.ms"));
    }

    /** When everything the fault changed was back (services accepting connections again). */
    long faultEndMs() {
        return Long.parseLong(run.getProperty("fault.end.ms"));
    }

    long runProperty(String key) {
        return Long.parseLong(run.getProperty(key, "0"));
    }

    /** Dead-lettered while the run lasted: the growth of the dead-letter queue. */
    long deadLettered() {
        return runProperty("dlq.after") - runProperty("dlq.before");
    }

    List<Request> requests(Predicate<Request> matching) {
        return requests.stream().filter(matching).toList();
    }

    List<Request> duringFault(Predicate<Request> matching) {
        return requests(request -> request.within(faultStartMs(), faultEndMs()) && matching.test(request));
    }

    /** What the API reported, after the run, of the deferred writes whose clients gave up polling (DeferredWritesCheck). */
    int operations(String outcome) {
        return Integer.parseInt(operations.getProperty("operations." + outcome, "0"));
    }

    boolean operationsChecked() {
        return !operations.isEmpty() || Files.exists(dir.resolve("operations.properties"));
    }

    boolean ledgerChecked() {
        return verdict.containsKey("failed");
    }

    boolean ledgerFailed() {
        return !ledgerChecked() || Boolean.parseBoolean(verdict.getProperty("failed"));
    }

    int ledger(String count) {
        return Integer.parseInt(verdict.getProperty(count, "0"));
    }

    /** Scrape {@code moment} (before, fault, down, heal, after) of {@code service} (api, worker). */
    Scrape scrape(String service, String moment) throws IOException {
        return Scrape.read(dir.resolve(service + "-" + moment + ".prom"));
    }

    /**
     * How often each breaker of a service changed state during the run, from tasks_breaker_transitions_total. A
     * service restarted during the run (worker-kill) starts counting again from zero; then its last count is taken.
     */
    Map<String, Long> breakerTransitions(String service) throws IOException {
        var before = scrape(service, "before").sumBy("tasks_breaker_transitions_total", "dependency");
        var after = scrape(service, "after").sumBy("tasks_breaker_transitions_total", "dependency");
        var changes = new TreeMap<String, Long>();
        after.forEach((dependency, count) -> {
            var start = before.getOrDefault(dependency, 0.0);
            changes.put(dependency, Math.round(count >= start ? count - start : count));
        });
        return changes;
    }

    /**
     * The API's own latency quantile while the dependencies are down, from its http_server_requests_seconds histogram
     * between the {@code down} scrape (half-way through the fault, once the breakers have had time to open) and the
     * {@code heal} scrape: the upper bound of the bucket it falls in, in ms; -1 if it served nothing then.
     */
    double serverQuantileDuringFaultMs(double quantile) throws IOException {
        var name = "http_server_requests_seconds_bucket";
        var from = scrape("api", "down").sumBy(name, "le");
        var to = scrape("api", "heal").sumBy(name, "le");
        var buckets = new TreeMap<Double, Double>();
        to.forEach((le, count) -> buckets.put(
                le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                count - from.getOrDefault(le, 0.0)));
        var total = buckets.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return -1;
        }
        for (var bucket : buckets.entrySet()) {
            if (bucket.getValue() >= quantile * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static Properties properties(Path file) throws IOException {
        var properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
        }
        return properties;
    }
}
