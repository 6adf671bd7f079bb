package dev.resilient.task.resilience;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.resilient.task.infrastructure.persistence.SchemaMigration;

import io.restassured.http.ContentType;

/**
 * The API starts while PostgreSQL is unreachable (an orchestrator restarting it during an outage must get it back),
 * reports ready (its warm-up ends at once), answers what it can (reads 503 without a cached copy, writes deferred), and keeps trying to migrate
 * the schema.
 */
@QuarkusTest
@TestProfile(StartWithoutPostgresTest.PostgresUnreachableAtStart.class)
class StartWithoutPostgresTest {

    /** Both the migration's and the service's connections go to a port nothing listens on. */
    public static class PostgresUnreachableAtStart implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            var reactive = "postgresql://127.0.0.1:1/tasks_test_api";
            var jdbc = "jdbc:postgresql://127.0.0.1:1/tasks_test_api";
            return Map.of(
                    "quarkus.datasource.reactive.url", reactive,
                    "%test.quarkus.datasource.reactive.url", reactive,
                    "quarkus.datasource.jdbc.url", jdbc,
                    "%test.quarkus.datasource.jdbc.url", jdbc,
                    "tasks.cache.key-prefix", "tasks-test-nopg:cache:",
                    "tasks.idempotency.key-prefix", "tasks-test-nopg:idempotency:",
                    "tasks.api.warm-up.enabled", "true");
        }
    }

    @Inject
    SchemaMigration migration;

    @Test
    void startsReadyAndAnswersDegraded() {
        assertThat(migration.done()).isFalse();
        management().get("/q/health/live").then().statusCode(200);
        // The warm-up's first read meets no PostgreSQL: it ends there, without writing, and readiness does not wait.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> management().get("/q/health/ready").then().statusCode(200));
        management()
                .get("/q/health/ready")
                .then()
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'warm-up' }.data.outcome", startsWith("ended early"));
        given().get("/tasks/{id}", UUID.randomUUID()).then().statusCode(503).header("Retry-After", "5");
        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "later"))
                .post("/tasks")
                .then()
                .statusCode(202)
                .header("Location", startsWith("/tasks/queued/"));
    }
}
