package dev.resilient.worker;

import static dev.resilient.testsupport.Management.management;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The worker starts and reports itself alive and ready to an orchestrator. */
@QuarkusTest
class WorkerHealthTest {

    @Test
    void answersLiveness() {
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** Readiness follows the consumers' connections, which open just after start: a probe waits for them too. */
    @Test
    void becomesReadyOnceConnected() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("rabbitmq-consumer")));
    }
}
