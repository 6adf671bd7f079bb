package dev.resilient.task.telemetry;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.testsupport.PrometheusText.Sample;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * What an operator scrapes from api-service (docs/design.md section 7) after ordinary traffic: every family the dashboards
 * and alert rules in observability/ read is there, HTTP latencies per route template and status in buckets fine
 * enough for millisecond percentiles, and no raw task id in any label.
 */
@QuarkusTest
class ApiMetricsTest {

    @Inject
    TaskRows rows;

    @AfterEach
    void cleanUp() {
        rows.deleteAll();
    }

    @Test
    void exposesEveryFamilyAnOperatorNeedsAfterTraffic() {
        var key = UUID.randomUUID().toString();
        var id = create(key).then().statusCode(201).extract().path("id").toString();
        create(key).then().statusCode(201).header("Idempotent-Replayed", "true");
        given().get("/tasks/" + id).then().statusCode(200);
        given().get("/tasks/" + UUID.randomUUID()).then().statusCode(404);
        given().get("/tasks").then().statusCode(200);

        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        var samples = PrometheusText.samples(scrape);

        // HTTP: per route template and status, with millisecond buckets, and never a raw id in a label.
        var getById = "method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/tasks/{id}\"";
        assertThat(value(scrape, "http_server_requests_seconds_count{" + getById + "}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(samples)
                .extracting(Sample::series)
                .contains(
                        "http_server_requests_seconds_bucket{" + getById + ",le=\"0.001\"}",
                        "http_server_requests_seconds_bucket{" + getById + ",le=\"0.005\"}",
                        "http_server_requests_seconds_bucket{" + getById + ",le=\"0.05\"}")
                .anyMatch(series -> series.startsWith("http_server_requests_seconds_count{")
                        && series.contains("status=\"404\"")
                        && series.contains("uri=\"/tasks/{id}\""))
                .noneMatch(series -> series.contains(id));
        // Idempotency, the fallback cache by read kind, deferred writes, breakers per dependency.
        assertThat(value(scrape, "tasks_idempotency_replays_total")).isGreaterThanOrEqualTo(1);
        assertThat(samples)
                .extracting(Sample::series)
                .contains(
                        "tasks_idempotency_conflicts_total",
                        "tasks_idempotency_mismatches_total",
                        "tasks_cache_hit_total{read=\"task\"}",
                        "tasks_cache_hit_total{read=\"list\"}",
                        "tasks_cache_miss_total{read=\"task\"}",
                        "tasks_cache_miss_total{read=\"list\"}",
                        "tasks_cache_errors_total",
                        "tasks_deferred_published_total");
        for (var dependency : new String[] {
            "postgres-read",
            "postgres-write",
            "redis-cache",
            "redis-idempotency",
            "redis-operations",
            "rabbitmq-publish"
        }) {
            assertThat(value(scrape, "tasks_breaker_state{dependency=\"" + dependency + "\"}"))
                    .as(dependency + " closed")
                    .isZero();
            assertThat(samples)
                    .extracting(Sample::series)
                    .contains("tasks_breaker_transitions_total{dependency=\"" + dependency + "\"}");
        }
        // Runtime: JVM, event loops, the PostgreSQL, Redis and worker-thread pools.
        assertThat(samples).extracting(Sample::name).containsAll(PrometheusText.RUNTIME_FAMILIES);
    }

    private static Response create(String key) {
        return given().contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body(Map.of("name", "measured"))
                .post("/tasks");
    }

    private static double value(String scrape, String series) {
        return PrometheusText.sum(scrape, sample -> sample.series().equals(series));
    }
}
