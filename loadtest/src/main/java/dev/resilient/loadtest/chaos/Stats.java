package dev.resilient.loadtest.chaos;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Count, latency percentiles (nearest rank, ms) and status counts of a set of requests. */
record Stats(int count, long p50, long p95, long p99, long max, Map<String, Long> statuses) {

    static Stats of(List<Request> requests) {
        var millis = requests.stream().mapToLong(Request::millis).sorted().toArray();
        var statuses = requests.stream()
                .collect(Collectors.groupingBy(Request::status, TreeMap::new, Collectors.counting()));
        return new Stats(
                millis.length,
                percentile(millis, 50),
                percentile(millis, 95),
                percentile(millis, 99),
                millis.length == 0 ? 0 : millis[millis.length - 1],
                statuses);
    }

    /** Nearest-rank percentile of sorted values; 0 for none. */
    static long percentile(long[] sorted, double percent) {
        if (sorted.length == 0) {
            return 0;
        }
        var rank = (int) Math.ceil(percent / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    static long percentile(List<Request> requests, double percent) {
        var sorted = requests.stream().mapToLong(Request::millis).toArray();
        Arrays.sort(sorted);
        return percentile(sorted, percent);
    }

    long status(String status) {
        return statuses.getOrDefault(status, 0L);
    }

    /** e.g. {@code 200:812 404:3 503:40}. */
    String statusText() {
        if (statuses.isEmpty()) {
            return "-";
        }
        return statuses.entrySet().stream()
                .map(entry -> entry.getKey() + ":" + entry.getValue())
                .collect(Collectors.joining(" "));
    }
}
