package dev.resilient.worker.resilience;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.worker.testing.Broker;
import dev.resilient.worker.testing.ProxiedPostgres;
import dev.resilient.worker.testing.WorkerTestBase;

import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * PostgreSQL unreachable: the worker stops taking messages while its breaker is open (writes wait in RabbitMQ instead
 * of burning their retries or reaching the dead-letter queue), and drains them all once a probe gets through.
 */
@QuarkusTest
@WithTestResource(value = ProxiedPostgres.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PostgresOutageWorkerTest extends WorkerTestBase {

    private static double metric(String sample) {
        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(scrape, found -> found.series().equals(sample));
    }

    @Inject
    ConsumptionGate gate;

    @AfterEach
    void restorePostgres() {
        ProxiedPostgres.postgres().pass();
    }

    @Test
    void theWorkerPausesWhilePostgresIsDownAndDrainsEverythingWhenItReturns() {
        ProxiedPostgres.postgres().refuse();
        var operations = new ArrayList<DeferredTaskWrite>();
        for (int i = 0; i < 30; i++) {
            operations.add(deferAndPublish(create("waits out the outage " + i)));
        }

        await().atMost(Duration.ofSeconds(10)).until(gate::isPaused);
        assertThat(breakers.currentState(WorkerGuards.POSTGRES)).isNotEqualTo(CircuitBreakerState.CLOSED);
        // Paused for a while: nothing is given up on, and nothing is retried: the writes that met the outage before the
        // breaker opened wait for PostgreSQL too, instead of climbing the retry ladder (30 s, 60 s, 120 s by default).
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(4))
                .until(() -> broker.ready(Broker.TOPOLOGY.deadLetterQueue()) == 0
                        && operations.stream()
                                .noneMatch(operation ->
                                        state(operation.operationId()).status().isFinal()));
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"postponed\"}"))
                .isPositive();

        ProxiedPostgres.postgres().pass();

        await().atMost(Duration.ofSeconds(30)).until(() -> !gate.isPaused());
        for (var operation : operations) {
            var state = awaitFinal(operation.operationId());
            assertThat(state.status()).isEqualTo(Status.COMPLETED);
            assertThat(state.attempts()).as("no retry used up by the outage").isOne();
        }
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"retried\"}"))
                .isZero();
        assertThat(rows.tasks()).isEqualTo(30);
        assertThat(rows.appliedOperations()).isEqualTo(30);
        assertThat(broker.ready(Broker.TOPOLOGY.deadLetterQueue())).isZero();
    }
}
