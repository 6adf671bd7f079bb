package dev.resilient.worker.apply;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.shared.contract.Problem;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.worker.testing.WorkerTestBase;

/**
 * Nothing keyed by time outlives less than what refers to it: what the journal keeps for a waiting write lives past
 * the horizon, a write that waited longer than the horizon is not applied, and the records of applied writes are
 * deleted only well past it (defaults: horizon 24 h, retention 48 h).
 */
@QuarkusTest
class JournalLifetimeTest extends WorkerTestBase {

    private static final Duration HORIZON = Duration.ofHours(24);

    @Test
    void whatTheJournalKeepsForAWaitingWriteLivesLongerThanTheHorizon() {
        var create = create("waiting");
        var deferred = defer(create);
        journal.cancel(deferred.operationId(), deferred.publicationId(), create)
                .await()
                .atMost(Duration.ofSeconds(5));
        var waiting = defer(rename(create.taskId(), "waiting too"));

        assertThat(redis.key().pttl(JOURNAL_PREFIX + waiting.operationId()))
                .as("the pending state")
                .isGreaterThan(HORIZON.toMillis());
        assertThat(redis.key().pttl(JOURNAL_PREFIX + "order:" + create.taskId()))
                .as("its place in its task's order")
                .isGreaterThan(HORIZON.toMillis());
        assertThat(redis.key().pttl(JOURNAL_PREFIX + "cancelled:" + deferred.publicationId()))
                .as("the cancel mark of a withdrawn publication")
                .isGreaterThan(HORIZON.toMillis());
        assertThat(redis.key().pttl(JOURNAL_PREFIX + "clock"))
                .as("the clock of places never expires")
                .isEqualTo(-1);
    }

    @Test
    void aWriteThatWaitedLongerThanTheHorizonEndsExpiredAndIsNotApplied() {
        var create = create("accepted too long ago");
        var deferred = defer(create);
        var late = new DeferredTaskWrite(
                deferred.operationId(),
                create,
                Instant.now().minus(HORIZON).minusSeconds(60),
                deferred.place(),
                deferred.publicationId());
        var expiredBefore = metric("tasks_worker_deferred_writes_total{outcome=\"expired\"}");

        broker.publish(late);

        var state = awaitFinal(deferred.operationId());
        assertThat(state.status()).isEqualTo(Status.FAILED);
        assertThat(state.resultStatus()).isEqualTo(410);
        assertThat(state.problem().type()).isEqualTo(Problem.EXPIRED);
        assertThat(state.problem().detail()).contains("24h");
        assertThat(rows.nameAndVersion(create.taskId())).isNull();
        assertThat(metric("tasks_worker_deferred_writes_total{outcome=\"expired\"}"))
                .isEqualTo(expiredBefore + 1);
        // The next write to its task is not held behind it: it runs, and finds no task.
        var next = deferAndPublish(rename(create.taskId(), "after the expired create"));
        assertThat(awaitFinal(next.operationId()).resultStatus()).isEqualTo(404);
    }

    @Test
    void recordsOfAppliedWritesAreDeletedOnlyPastTheirRetentionAndTheTableIsCounted() {
        var old = UUID.randomUUID();
        var recent = UUID.randomUUID();
        rows.recordApplied(old, Instant.now().minus(Duration.ofHours(49)));
        rows.recordApplied(recent, Instant.now().minus(Duration.ofHours(47)));

        await().atMost(Duration.ofSeconds(10)).until(() -> !rows.isRecorded(old));

        assertThat(rows.isRecorded(recent)).as("within the 48 h retention").isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metric("tasks_applied_operations_rows"))
                .isEqualTo(rows.appliedOperations()));
        assertThat(metric("tasks_applied_operations_purged_total")).isPositive();
    }

    private static double metric(String sample) {
        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(scrape, found -> found.series().equals(sample));
    }
}
