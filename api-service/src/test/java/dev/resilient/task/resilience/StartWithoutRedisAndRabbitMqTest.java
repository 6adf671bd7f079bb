package dev.resilient.task.resilience;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.ProxiedDependencies;

import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * The API starts while Redis and RabbitMQ are unreachable: it reports live and ready, serves reads from PostgreSQL,
 * refuses writes with 503 (they cannot be protected against duplicates without Redis), and takes writes, deferred
 * ones included, once both are back, without a restart.
 */
@QuarkusTest
@WithTestResource(
        value = ProxiedDependencies.class,
        initArgs = @ResourceArg(name = ProxiedDependencies.REFUSE_AT_START, value = "redis,rabbitmq"),
        scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StartWithoutRedisAndRabbitMqTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @AfterEach
    void restore() {
        ProxiedDependencies.postgres().pass();
        ProxiedDependencies.redis().pass();
        ProxiedDependencies.rabbitmq().pass();
        breakers.resetAll();
    }

    @Test
    void startsReadyServesReadsAndTakesWritesOnceRedisAndRabbitMqAreBack() {
        assertThat(ProxiedDependencies.redis().mode())
                .as("unreachable since before start-up")
                .isEqualTo("refuse");
        management().get("/q/health/live").then().statusCode(200);
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/tasks").then().statusCode(200);
        given().get("/tasks/{id}", UUID.randomUUID()).then().statusCode(404);
        post("refused for now").then().statusCode(503).header("Retry-After", notNullValue());

        ProxiedDependencies.redis().pass();
        ProxiedDependencies.rabbitmq().pass();
        breakers.resetAll();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> post("written").then().statusCode(201));

        // Deferral works too: the publisher connected to RabbitMQ although it was down when the API started.
        ProxiedDependencies.postgres().refuse();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> post("deferred").then().statusCode(202).header("Location", startsWith("/tasks/queued/")));
    }

    private static io.restassured.response.Response post(String name) {
        return given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks");
    }
}
