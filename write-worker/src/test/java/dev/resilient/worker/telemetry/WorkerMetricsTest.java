package dev.resilient.worker.telemetry;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.testsupport.PrometheusText.Sample;
import dev.resilient.worker.testing.WorkerTestBase;

/**
 * What an operator scrapes from the worker (docs/design.md section 7) after it has applied one write and dead-lettered
 * another: every family the dashboards and alert rules in observability/ read is there, with the values the traffic
 * explains.
 */
@QuarkusTest
class WorkerMetricsTest extends WorkerTestBase {

    @Test
    void exposesEveryFamilyAnOperatorNeedsAfterTraffic() {
        var applied = deferAndPublish(create("measured"));
        // Refused by PostgreSQL (no name): retried three times, then dead-lettered.
        var refused =
                deferAndPublish(new TaskWrite.CreateTask(UUID.randomUUID(), null, TaskStatus.PENDING, Instant.now()));
        assertThat(awaitFinal(applied.operationId()).status()).isEqualTo(Status.COMPLETED);
        assertThat(awaitFinal(refused.operationId()).status()).isEqualTo(Status.FAILED);

        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        var samples = PrometheusText.samples(scrape);

        // Operations by what became of them.
        assertThat(value(scrape, "tasks_worker_deferred_writes_total{outcome=\"completed\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(scrape, "tasks_worker_deferred_writes_total{outcome=\"retried\"}"))
                .isGreaterThanOrEqualTo(3);
        assertThat(value(scrape, "tasks_worker_deferred_writes_total{outcome=\"dead_lettered\"}"))
                .isGreaterThanOrEqualTo(1);
        // Attempts until final: one bucket per attempt, so "took more than one attempt" is a query.
        assertThat(value(scrape, "tasks_worker_attempts_bucket{le=\"1.0\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(scrape, "tasks_worker_attempts_bucket{le=\"4.0\"}"))
                .isGreaterThan(value(scrape, "tasks_worker_attempts_bucket{le=\"1.0\"}"));
        // Processing time with buckets fine enough for millisecond latencies.
        assertThat(samples)
                .filteredOn(sample -> sample.name().equals("tasks_worker_processing_seconds_bucket"))
                .filteredOn(sample -> le(sample) <= 0.01)
                .as("buckets below 10 ms")
                .hasSizeGreaterThanOrEqualTo(5);
        assertThat(value(scrape, "tasks_worker_processing_seconds_count")).isGreaterThanOrEqualTo(5);
        // Breakers: the same families as api-service, one series per dependency.
        for (var dependency : new String[] {"worker-postgres", "worker-redis"}) {
            assertThat(samples)
                    .extracting(Sample::series)
                    .contains(
                            "tasks_breaker_state{dependency=\"" + dependency + "\"}",
                            "tasks_breaker_transitions_total{dependency=\"" + dependency + "\"}");
        }
        // Runtime: JVM, event loops, the PostgreSQL, Redis and worker-thread pools.
        assertThat(samples).extracting(Sample::name).containsAll(PrometheusText.RUNTIME_FAMILIES);
    }

    private static double value(String scrape, String series) {
        return PrometheusText.sum(scrape, sample -> sample.series().equals(series));
    }

    private static double le(Sample bucket) {
        var series = bucket.series();
        var start = series.indexOf("le=\"") + 4;
        var bound = series.substring(start, series.indexOf('"', start));
        return bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
    }
}
