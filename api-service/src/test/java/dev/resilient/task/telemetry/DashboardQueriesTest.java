package dev.resilient.task.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.testing.PromQl;

/**
 * How metric names are read from the queries of observability/, and that every query names one: without a metric, a
 * query cannot be checked against what the system exposes (ObservabilityQueriesTest), and draws an empty panel.
 */
@Tag("unit")
class DashboardQueriesTest {

    private static final Path OBSERVABILITY = Path.of("..", "observability");

    @Test
    void functionsLabelsRangesAndGroupingAreNotMetrics() {
        assertThat(
                        PromQl.metricNames(
                                "sum by (method) (rate(ft_circuitbreaker_opened_total{method=~\"a.b\"}[$__rate_interval])) > 0"))
                .containsExactly("ft_circuitbreaker_opened_total");
        assertThat(PromQl.metricNames(
                        "histogram_quantile(0.99, sum(rate(http_server_requests_seconds_bucket[5m])) by (le, uri))"))
                .containsExactly("http_server_requests_seconds_bucket");
    }

    @Test
    void bothSidesOfABinaryOperationAreRead() {
        assertThat(PromQl.metricNames("tasks_cache_hit_total / on (job) group_left (instance) tasks_cache_miss_total"))
                .containsExactly("tasks_cache_hit_total", "tasks_cache_miss_total");
        assertThat(PromQl.metricNames("up == bool 0 and absent(tasks_admission_limit) or vector(1)"))
                .containsExactly("tasks_admission_limit", "up");
    }

    @Test
    void stringsCommentsAndNumbersAreNotMetrics() {
        assertThat(PromQl.metricNames("label_replace(up, \"dst\", \"$1\", \"src\", \"(not_a_metric)\") # a comment"))
                .containsExactly("up");
        assertThat(PromQl.metricNames("1e3 * 0.5 + inf")).isEmpty();
    }

    @Test
    void everyDashboardQueryAndVariableNamesAMetric() throws IOException {
        try (Stream<Path> dashboards = Files.list(OBSERVABILITY.resolve("grafana/dashboards"))) {
            var files =
                    dashboards.filter(file -> file.toString().endsWith(".json")).toList();
            assertThat(files).isNotEmpty();
            for (var dashboard : files) {
                assertEveryQueryNamesAMetric(dashboard, PromQl.dashboardQueries(dashboard));
            }
        }
    }

    @Test
    void everyAlertRuleNamesAMetric() throws IOException {
        try (Stream<Path> rules = Files.list(OBSERVABILITY.resolve("prometheus/rules"))) {
            var files = rules.filter(file -> file.toString().endsWith(".yml"))
                    .filter(file -> !file.toString().endsWith(".test.yml"))
                    .toList();
            assertThat(files).isNotEmpty();
            for (var file : files) {
                assertEveryQueryNamesAMetric(file, PromQl.ruleExpressions(file));
            }
        }
    }

    private static void assertEveryQueryNamesAMetric(Path file, List<String> queries) {
        assertThat(queries).as("queries of %s", file).isNotEmpty();
        assertThat(queries)
                .as("queries of %s that name no metric", file)
                .filteredOn(query -> PromQl.metricNames(query).isEmpty())
                .isEmpty();
    }
}
