package dev.resilient.worker.resilience;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.worker.testing.ProxiedRabbitMq;
import dev.resilient.worker.testing.WorkerTestBase;

/**
 * The worker's readiness is its RabbitMQ consumer: while the broker cannot be reached the worker reports itself not
 * ready (an orchestrator sees it idle, not working), and once the broker is back it reconnects, reports ready and
 * takes writes again. Liveness stays UP throughout, however long past the consumer watchdog's limit: restarting the
 * worker would not bring RabbitMQ back (the watchdog ends a worker only while the broker answers, ConsumerWatchdogTest).
 */
@QuarkusTest
@QuarkusTestResource(value = ProxiedRabbitMq.class, restrictToAnnotatedClass = true)
@TestProfile(RabbitMqOutageWorkerTest.ShortStallLimit.class)
class RabbitMqOutageWorkerTest extends WorkerTestBase {

    public static class ShortStallLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tasks.worker.consumer-stall-limit", "2S");
        }
    }

    @AfterEach
    void restoreBroker() {
        ProxiedRabbitMq.rabbitmq().pass();
    }

    @Test
    void readinessFollowsTheConsumersConnectionToRabbitMq() {
        // The consumers connect in the background after start-up: ready once they have.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'rabbitmq-consumer' }.data.'task-writes$1'", equalTo("connected")));

        ProxiedRabbitMq.rabbitmq().refuse();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> management()
                .get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("status", equalTo("DOWN")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management()
                .get("/q/health/live")
                .then()
                .statusCode(200)
                .body(
                        "checks.find { it.name == 'rabbitmq-consumer-watchdog' }.data.'disconnected-seconds'",
                        greaterThanOrEqualTo(4))
                .body(
                        "checks.find { it.name == 'rabbitmq-consumer-watchdog' }.data.'broker-answering-seconds'",
                        equalTo(0)));

        ProxiedRabbitMq.rabbitmq().pass();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP")));
        var deferred = deferAndPublish(create("after the broker came back"));
        assertThat(awaitFinal(deferred.operationId()).status()).isEqualTo(Status.COMPLETED);
    }
}
