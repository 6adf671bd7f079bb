package dev.resilient.worker.resilience;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.worker.testing.Broker;
import dev.resilient.worker.testing.ProxiedPostgres;
import dev.resilient.worker.testing.WorkerTestBase;

/**
 * The worker starts while PostgreSQL is unreachable (an orchestrator restarting it during an outage must get it
 * back): it is live and ready (ready is its consumers' connection to RabbitMQ), applies nothing while PostgreSQL is
 * out, and applies every write that waited once PostgreSQL is reachable.
 */
@QuarkusTest
@WithTestResource(
        value = ProxiedPostgres.class,
        initArgs = @ResourceArg(name = ProxiedPostgres.REFUSE_AT_START, value = "true"),
        scope = TestResourceScope.RESTRICTED_TO_CLASS)
class StartWithoutPostgresWorkerTest extends WorkerTestBase {

    @AfterEach
    void restorePostgres() {
        ProxiedPostgres.postgres().pass();
    }

    @Test
    void startsWithPostgresUnreachableAndAppliesTheWaitingWritesWhenItReturns() {
        assertThat(ProxiedPostgres.postgres().mode())
                .as("unreachable since before start-up")
                .isEqualTo("refuse");
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> management().get("/q/health/ready").then().statusCode(200));

        var operations = new ArrayList<DeferredTaskWrite>();
        for (int i = 0; i < 5; i++) {
            operations.add(deferAndPublish(create("waits for PostgreSQL " + i)));
        }
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(4))
                .until(() -> rows.tasks() == 0
                        && operations.stream()
                                .noneMatch(operation ->
                                        state(operation.operationId()).status().isFinal()));

        ProxiedPostgres.postgres().pass();

        for (var operation : operations) {
            assertThat(awaitFinal(operation.operationId()).status()).isEqualTo(Status.COMPLETED);
        }
        assertThat(rows.tasks()).isEqualTo(5);
        assertThat(broker.ready(Broker.TOPOLOGY.deadLetterQueue())).isZero();
    }
}
