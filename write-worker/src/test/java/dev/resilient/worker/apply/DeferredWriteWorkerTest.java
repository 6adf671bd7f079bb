package dev.resilient.worker.apply;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.worker.messaging.WaitQueues;
import dev.resilient.worker.testing.Broker;
import dev.resilient.worker.testing.WorkerTestBase;

/**
 * The worker against the real local PostgreSQL, Redis and RabbitMQ: each deferred write ends applied once and
 * reported, failed with the API's problem, or in the dead-letter queue, and writes to one task keep their order.
 */
@QuarkusTest
class DeferredWriteWorkerTest extends WorkerTestBase {

    @Test
    void aDeferredCreateIsAppliedAndReportsTheBodyTheSynchronousCallWouldHaveReturned() {
        var create = create("written later");
        var operation = deferAndPublish(create);

        var state = awaitFinal(operation.operationId());

        assertThat(state.status()).isEqualTo(Status.COMPLETED);
        assertThat(state.resultStatus()).isEqualTo(201);
        assertThat(state.result().id()).isEqualTo(create.taskId());
        assertThat(state.result().name()).isEqualTo("written later");
        assertThat(state.result().status()).isEqualTo(TaskStatus.PENDING);
        assertThat(state.result().createdAt())
                .isEqualTo(create.requestedAt().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        assertThat(state.attempts()).isEqualTo(1);
        assertThat(rows.nameAndVersion(create.taskId())).isEqualTo("written later@1");
        assertThat(rows.appliedOperations()).isEqualTo(1);
    }

    @Test
    void deferredUpdateAndDeleteAreAppliedInTheOrderTheyWereDeferred() {
        var create = create("first");
        var created = deferAndPublish(create);
        var renamed = deferAndPublish(rename(create.taskId(), "second"));
        var other = create("kept");
        var otherCreated = deferAndPublish(other);
        var deleted = deferAndPublish(new TaskWrite.DeleteTask(other.taskId(), null, Instant.now()));

        assertThat(awaitFinal(created.operationId()).resultStatus()).isEqualTo(201);
        var update = awaitFinal(renamed.operationId());
        assertThat(update.resultStatus()).isEqualTo(200);
        assertThat(update.result().name()).isEqualTo("second");
        assertThat(awaitFinal(otherCreated.operationId()).resultStatus()).isEqualTo(201);
        var delete = awaitFinal(deleted.operationId());
        assertThat(delete.status()).isEqualTo(Status.COMPLETED);
        assertThat(delete.resultStatus()).isEqualTo(204);
        assertThat(rows.nameAndVersion(create.taskId())).isEqualTo("second@2");
        assertThat(rows.nameAndVersion(other.taskId())).isNull();
    }

    @Test
    void aWriteDeliveredBeforeTheCreateOfItsTaskWaitsForItInsteadOfFailingWith404() {
        var create = create("made first");
        var createOperation = defer(create);
        var update = defer(rename(create.taskId(), "then renamed"));
        var delete = defer(new TaskWrite.DeleteTask(create.taskId(), null, Instant.now()));

        // Delivered in the opposite order (as after a retry, or with competing consumers).
        broker.publish(delete);
        broker.publish(update);
        broker.publish(createOperation);

        assertThat(awaitFinal(createOperation.operationId()).resultStatus()).isEqualTo(201);
        var renamed = awaitFinal(update.operationId());
        assertThat(renamed.status()).isEqualTo(Status.COMPLETED);
        assertThat(renamed.result().name()).isEqualTo("then renamed");
        assertThat(awaitFinal(delete.operationId()).resultStatus()).isEqualTo(204);
        assertThat(rows.nameAndVersion(create.taskId())).isNull();
        assertThat(rows.appliedOperations()).isEqualTo(3);
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"held\"}"))
                .isPositive();
    }

    @Test
    void theSameMessageDeliveredTwiceIsAppliedOnceAndReportsTheFirstResult() {
        var create = create("once");
        var created = deferAndPublish(create);
        awaitFinal(created.operationId());
        var rename = deferAndPublish(rename(create.taskId(), "renamed once"));
        var first = awaitFinal(rename.operationId());

        broker.publish(rename);
        broker.publish(created);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.ready(Broker.TOPOLOGY.workQueue()) == 0 && state(rename.operationId()) != null);
        // Handled again (in_progress, then final once more): its state is newer than the first final one.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var handled = state(rename.operationId());
            assertThat(handled.updatedAt()).isAfter(first.updatedAt());
            assertThat(handled.status()).isNotEqualTo(Status.IN_PROGRESS);
        });
        var again = state(rename.operationId());
        assertThat(again.status()).isEqualTo(Status.COMPLETED);
        assertThat(again.result()).isEqualTo(first.result());
        assertThat(rows.nameAndVersion(create.taskId())).isEqualTo("renamed once@2");
        assertThat(rows.tasks()).isEqualTo(1);
        assertThat(rows.appliedOperations()).isEqualTo(2);
    }

    @Test
    void anUpdateOfATaskThatDoesNotExistFailsWithTheProblemTheApiWouldHaveAnswered() {
        var missing = UUID.randomUUID();
        var operation = deferAndPublish(rename(missing, "nobody"));

        var state = awaitFinal(operation.operationId());

        assertThat(state.status()).isEqualTo(Status.FAILED);
        assertThat(state.resultStatus()).isEqualTo(404);
        assertThat(state.problem().status()).isEqualTo(404);
        assertThat(state.problem().detail()).isEqualTo("Task " + missing + " does not exist.");
        assertThat(broker.ready(Broker.TOPOLOGY.deadLetterQueue()))
                .as("a business outcome is final")
                .isZero();
        assertThat(rows.tasks()).isZero();
    }

    @Test
    void aWriteTheApiCancelledIsDroppedWhenItArrivesLate() {
        var create = create("told 503");
        var operation = defer(create);
        journal.cancel(operation.operationId(), operation.publicationId(), create)
                .await()
                .atMost(Duration.ofSeconds(5));
        var marker = deferAndPublish(create("published after it"));

        broker.publish(operation);

        awaitFinal(marker.operationId());
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(Broker.TOPOLOGY.workQueue()) == 0);
        assertThat(state(operation.operationId())).isNull();
        assertThat(rows.nameAndVersion(create.taskId())).isNull();
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"discarded\"}"))
                .isPositive();
    }

    @Test
    void aWritePostgresKeepsRefusingClimbsTheRetryLadderAndEndsInTheDeadLetterQueue() {
        // A create without a name: refused (NOT NULL), which is about the write, not an outage.
        var refused = new TaskWrite.CreateTask(UUID.randomUUID(), null, TaskStatus.PENDING, Instant.now());
        var operation = deferAndPublish(refused);
        var retriedBefore = metric("tasks_worker_deferred_writes_total{outcome=\"retried\"}");

        var state = awaitFinal(operation.operationId());

        assertThat(state.status()).isEqualTo(Status.FAILED);
        assertThat(state.attempts()).as("first attempt + 3 retries").isEqualTo(4);
        assertThat(state.problem().detail()).contains("dead-letter queue");
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(Broker.TOPOLOGY.deadLetterQueue()) == 1);
        var dead = broker.take(Broker.TOPOLOGY.deadLetterQueue());
        assertThat(dead.getProps().getMessageId())
                .isEqualTo(operation.publicationId().toString());
        assertThat(dead.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(dead.getProps().getHeaders().get(WaitQueues.REASON_HEADER).toString())
                .contains("not-null property");
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"retried\"}") - retriedBefore)
                .isEqualTo(3);
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"dead_lettered\"}"))
                .isPositive();
        assertThat(rows.tasks()).isZero();
        assertThat(breakers.currentState(dev.resilient.worker.resilience.WorkerGuards.POSTGRES)
                        .name())
                .as("a refused write is not an outage")
                .isEqualTo("CLOSED");
    }

    @Test
    void aWriteAConstraintRefusesCountsNeitherAgainstTheBreakerNorAgainstTheOthersOfItsBatch() {
        // Longer than the CHECK on tasks.name allows: PostgreSQL refuses it (SQLSTATE 23514), which is about the write.
        var refused = new TaskWrite.CreateTask(UUID.randomUUID(), "x".repeat(300), TaskStatus.PENDING, Instant.now());
        var failuresBefore = postgresBreakerFailures();
        var bad = deferAndPublish(refused);
        var good = deferAndPublish(create("next to a refused one"));

        assertThat(awaitFinal(good.operationId()).status()).isEqualTo(Status.COMPLETED);
        var state = awaitFinal(bad.operationId());

        assertThat(state.status()).isEqualTo(Status.FAILED);
        assertThat(rows.tasks()).isOne();
        assertThat(postgresBreakerFailures())
                .as("PostgreSQL answered: not a failure of PostgreSQL")
                .isEqualTo(failuresBefore);
    }

    /**
     * A write the worker fails on in a way it did not foresee (here the journal holds a state it cannot read, so Redis
     * answers its turn check with an error) is tried again a few times, then ends failed, with its state stored, in the
     * dead-letter queue. The write next to it goes through, and no breaker counts it: it is not PostgreSQL's failure.
     */
    @Test
    void aWriteThatFailsUnexpectedlyIsRequeuedAFewTimesThenFailsIntoTheDeadLetterQueue() {
        var failuresBefore = postgresBreakerFailures();
        var write = create("its state is unreadable");
        var broken = defer(write);
        redis.value(String.class).set(JOURNAL_PREFIX + broken.operationId(), "{not json");
        broker.publish(broken);
        var beside = deferAndPublish(create("next to it"));

        assertThat(awaitFinal(beside.operationId()).status()).isEqualTo(Status.COMPLETED);
        // Until the worker gives up, the state stays what it cannot read.
        var state = await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(() -> state(broken.operationId()), found -> found.status()
                        .isFinal());

        assertThat(state.status()).isEqualTo(Status.FAILED);
        assertThat(state.resultStatus()).isEqualTo(500);
        assertThat(state.attempts())
                .as("tasks.worker.unexpected-failure-attempts")
                .isEqualTo(5);
        assertThat(state.problem().detail()).contains("dead-letter queue");
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(Broker.TOPOLOGY.deadLetterQueue()) == 1);
        assertThat(broker.take(Broker.TOPOLOGY.deadLetterQueue()).getProps().getMessageId())
                .isEqualTo(broken.publicationId().toString());
        assertThat(postgresBreakerFailures()).isEqualTo(failuresBefore);
        assertThat(broker.ready(Broker.TOPOLOGY.workQueue())).isZero();
        assertThat(rows.nameAndVersion(write.taskId())).isNull();
    }

    @Test
    void anUnreadableMessageGoesToTheDeadLetterQueueAndItsOperationFails() {
        var id = UUID.randomUUID();
        journal.save(new dev.resilient.shared.contract.DeferredWriteState(
                        id, Status.PENDING, null, null, null, 0, Instant.now()))
                .await()
                .atMost(Duration.ofSeconds(5));
        // Its operation id can be read, its write cannot.
        var body = "{\"operationId\":\"" + id + "\",\"write\":{\"type\":\"rename-everything\"}}";

        broker.publishRaw(
                body.getBytes(StandardCharsets.UTF_8), UUID.randomUUID().toString(), Map.of());

        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(Broker.TOPOLOGY.deadLetterQueue()) == 1);
        var dead = broker.take(Broker.TOPOLOGY.deadLetterQueue());
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
        var state = awaitFinal(id);
        assertThat(state.status()).isEqualTo(Status.FAILED);
        assertThat(state.problem().detail()).isEqualTo("The deferred write could not be read.");
        assertThat(broker.ready(Broker.TOPOLOGY.workQueue())).isZero();
    }

    @Test
    void metricsCountWhatBecameOfEachWriteAndTimeTheProcessing() {
        var operation = deferAndPublish(create("counted"));
        awaitFinal(operation.operationId());

        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"completed\"}"))
                .isPositive();
        assertThat(metric("tasks_worker_processing_seconds_count")).isPositive();
        assertThat(metric("tasks_worker_attempts_count")).isPositive();
    }

    /** The value of a sample in /q/metrics, e.g. {@code name{label="value"}} (0 when absent). */
    private static double metric(String sample) {
        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(scrape, found -> found.series().equals(sample));
    }

    /** Calls through the worker's PostgreSQL breaker that it counted as failures. */
    private static double postgresBreakerFailures() {
        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(
                scrape,
                sample -> sample.name().equals("ft_circuitbreaker_calls_total")
                        && sample.series().contains("circuitBreakerResult=\"failure\"")
                        && sample.series().contains("WorkerGuards.postgres"));
    }
}
