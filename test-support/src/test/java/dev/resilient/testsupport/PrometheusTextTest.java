package dev.resilient.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class PrometheusTextTest {

    private static final String SCRAPE =
            """
            # HELP tasks_worker_deferred_writes_total Deferred writes handled by the worker
            # TYPE tasks_worker_deferred_writes_total counter
            tasks_worker_deferred_writes_total{outcome="completed",} 12.0 # {span_id="00f067aa0ba902b7",trace_id="4bf9"} 1.0 1764320000.000
            tasks_worker_deferred_writes_total{outcome="failed"} 2.0
            process_uptime_seconds 42.5
            http_server_requests_seconds_count{method="GET",uri="/tasks/{id}",outcome="a b"} 3.0
            """;

    @Test
    void aSampleIsItsSeriesAndItsValueWhateverFollowsIt() {
        assertThat(PrometheusText.samples(SCRAPE))
                .containsExactly(
                        new PrometheusText.Sample("tasks_worker_deferred_writes_total{outcome=\"completed\"}", 12.0),
                        new PrometheusText.Sample("tasks_worker_deferred_writes_total{outcome=\"failed\"}", 2.0),
                        new PrometheusText.Sample("process_uptime_seconds", 42.5),
                        new PrometheusText.Sample(
                                "http_server_requests_seconds_count{method=\"GET\",uri=\"/tasks/{id}\",outcome=\"a b\"}",
                                3.0));
    }

    @Test
    void sumAddsTheMatchingSamplesOfAMetric() {
        assertThat(PrometheusText.sum(SCRAPE, sample -> sample.name().equals("tasks_worker_deferred_writes_total")))
                .isEqualTo(14.0);
        assertThat(PrometheusText.sum(SCRAPE, sample -> sample.name().equals("absent_total")))
                .isZero();
    }
}
