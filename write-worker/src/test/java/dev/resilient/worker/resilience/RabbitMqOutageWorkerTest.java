package dev.resilient.worker.resilience;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.OperationState.Status;
import dev.resilient.worker.testing.ProxiedRabbitMq;
import dev.resilient.worker.testing.WorkerTestBase;

/**
 * The worker's readiness is its RabbitMQ consumer: while the broker cannot be reached the worker reports itself not
 * ready (an orchestrator sees it idle, not working), and once the broker is back it reconnects, reports ready and
 * takes writes again. Liveness stays UP throughout: restarting the worker would not bring RabbitMQ back.
 */
@QuarkusTest
@QuarkusTestResource(value = ProxiedRabbitMq.class, restrictToAnnotatedClass = true)
class RabbitMqOutageWorkerTest extends WorkerTestBase {

    @AfterEach
    void restoreBroker() {
        ProxiedRabbitMq.rabbitmq().pass();
    }

    @Test
    void readinessFollowsTheConsumersConnectionToRabbitMq() {
        // The consumers connect in the background after start-up: ready once they have.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'rabbitmq-consumer' }.data.'task-writes$1'", equalTo("connected")));

        ProxiedRabbitMq.rabbitmq().refuse();

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() ->
                        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN")));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        ProxiedRabbitMq.rabbitmq().pass();

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        var deferred = deferAndPublish(create("after the broker came back"));
        assertThat(awaitFinal(deferred.operationId()).status()).isEqualTo(Status.COMPLETED);
    }
}
