package dev.resilient.common.admission;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.resilient.testing.FreshIdempotencyKeys;
import dev.resilient.testing.SlowResource;
import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.PrometheusText;

import io.restassured.http.ContentType;

/**
 * At its limit, the service sheds a request of a kind over its share at once with 503, Retry-After and a problem
 * detail, while a kind within its share and the health checks still get through.
 */
@QuarkusTest
@TestProfile(AdmissionTest.TwoInFlight.class)
class AdmissionTest {

    @Inject
    TaskRows rows;

    @AfterEach
    void emptyTable() {
        rows.deleteAll();
    }

    /** Two requests in flight in all, a share of one each; shed answers without a pause. */
    public static class TwoInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tasks.api.admission.limit", "2", "tasks.api.admission.shed-pause", "0S");
        }
    }

    @Test
    void aReadOverItsShareAtTheLimitIs503AtOnceWhileWritesAndProbesGetThrough() {
        var first = CompletableFuture.runAsync(
                () -> given().get(SlowResource.PATH + "?millis=3000").then().statusCode(200));
        var second = CompletableFuture.runAsync(
                () -> given().get(SlowResource.PATH + "?millis=3000").then().statusCode(200));
        await().atMost(Duration.ofSeconds(5)).until(() -> inFlight() >= 2);
        var shedBefore = shed("read");

        given().get("/tasks/{id}", UUID.randomUUID())
                .then()
                .statusCode(503)
                .header("Retry-After", "1")
                .contentType("application/problem+json")
                .body("status", equalTo(503));

        assertThat(first)
                .as("a shed request is answered while the requests holding the limit still run, not queued behind them")
                .isNotDone();
        assertThat(second).isNotDone();
        assertThat(shed("read")).isEqualTo(shedBefore + 1);
        assertThat(PrometheusText.sum(
                        management().get("/q/metrics").asString(),
                        sample -> sample.name().equals("http_server_requests_seconds_count")
                                && sample.series().contains("status=\"503\"")
                                && sample.series().contains("uri=\"/tasks/{id}\"")))
                .as("counted under its route's template, not under its own path")
                .isGreaterThanOrEqualTo(1);
        management().get("/q/health/ready").then().statusCode(200);
        FreshIdempotencyKeys.install();
        try {
            given().contentType(ContentType.JSON)
                    .body(Map.of("name", "within the writes' share"))
                    .post("/tasks")
                    .then()
                    .statusCode(201);
        } finally {
            FreshIdempotencyKeys.remove();
        }
        first.join();
        second.join();
        given().get("/tasks/{id}", UUID.randomUUID()).then().statusCode(404);
    }

    private static double inFlight() {
        return PrometheusText.sum(management().get("/q/metrics").asString(), sample -> sample.name()
                .equals("tasks_admission_in_flight"));
    }

    private static double shed(String kind) {
        return PrometheusText.sum(management().get("/q/metrics").asString(), sample -> sample.series()
                .equals("tasks_admission_shed_total{kind=\"" + kind + "\"}"));
    }
}
