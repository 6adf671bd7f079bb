package dev.resilient.testsupport;

import java.util.List;
import java.util.function.Predicate;

/**
 * Samples of a Prometheus text scrape ({@code /q/metrics}), for tests that assert on metrics. Comments are skipped, and
 * so is what follows a sample's value: with tracing on, Micrometer appends an exemplar ({@code # {trace_id=...} 1.0}).
 */
public final class PrometheusText {

    /** One sample: its series as written ({@code name} or {@code name{label="value",...}}) and its value. */
    public record Sample(String series, double value) {

        /** The metric name, without labels. */
        public String name() {
            var brace = series.indexOf('{');
            return brace < 0 ? series : series.substring(0, brace);
        }
    }

    /**
     * The runtime families both services expose and observability/'s runtime dashboard reads: JVM, CPU, event loops,
     * and the PostgreSQL, Redis and worker-thread pools.
     */
    public static final List<String> RUNTIME_FAMILIES = List.of(
            "jvm_memory_used_bytes",
            "jvm_gc_pause_seconds_count",
            "jvm_threads_live_threads",
            "process_cpu_usage",
            "netty_eventexecutor_tasks_pending",
            "sql_pool_active",
            "sql_pool_queue_size",
            "redis_pool_active",
            "redis_pool_queue_size",
            "worker_pool_active",
            "worker_pool_queue_size");

    private PrometheusText() {}

    public static List<Sample> samples(String scrape) {
        return scrape.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(PrometheusText::sample)
                .toList();
    }

    /** The sum of the values of the samples that match. */
    public static double sum(String scrape, Predicate<Sample> matching) {
        return samples(scrape).stream()
                .filter(matching)
                .mapToDouble(Sample::value)
                .sum();
    }

    private static Sample sample(String line) {
        // The series ends at the closing brace of its labels (label values may hold spaces), or at the first space.
        var close = line.indexOf('{') < 0 ? -1 : line.lastIndexOf('}', exemplarStart(line));
        var end = close < 0 ? line.indexOf(' ') : close + 1;
        var series = line.substring(0, end).replace(",}", "}");
        var value = line.substring(end).trim().split("\\s+")[0];
        return new Sample(series, Double.parseDouble(value));
    }

    private static int exemplarStart(String line) {
        var exemplar = line.indexOf(" # ");
        return exemplar < 0 ? line.length() : exemplar;
    }
}
