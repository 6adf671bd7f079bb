package dev.resilient.shared.persistence;

import static dev.resilient.shared.persistence.Places.place;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.vertx.RunOnVertxContext;
import io.quarkus.test.vertx.UniAsserter;

import dev.resilient.shared.contract.IfMatch;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite.CreateTask;
import dev.resilient.shared.contract.TaskWrite.DeleteAllTasks;
import dev.resilient.shared.contract.TaskWrite.DeleteTask;
import dev.resilient.shared.contract.TaskWrite.UpdateTask;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.testsupport.LocalPostgresDatabase;

import io.smallrye.mutiny.Uni;

/** The write path, command by command, against the real local PostgreSQL. */
@QuarkusTest
@RunOnVertxContext
@WithTestResource(
        value = LocalPostgresDatabase.class,
        initArgs = @ResourceArg(name = "database", value = "tasks_test_contracts"),
        scope = TestResourceScope.GLOBAL)
class TaskWriterTest {

    private static final Instant CREATED_AT = Instant.parse("2026-01-02T03:04:05.123456789Z");
    private static final Instant CREATED_AT_IN_DB = Instant.parse("2026-01-02T03:04:05.123456Z");
    private static final Instant LATER = Instant.parse("2026-01-02T04:00:00.000001Z");

    @Inject
    TaskWriter writer;

    @Inject
    TaskRepository repository;

    @Inject
    AppliedOperationRepository appliedOperations;

    @Test
    void createStoresTheTaskAtVersionOneStampedWithTheRequestTime(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);

        asserter.assertThat(
                () -> writer.apply(
                        UUID.randomUUID(), new CreateTask(id, "Read a book", TaskStatus.PENDING, CREATED_AT), place()),
                o -> {
                    var snapshot = ((WriteOutcome.Created) o).snapshot();
                    assertThat(snapshot.version()).isEqualTo(1);
                    assertThat(snapshot.task().id()).isEqualTo(id);
                    assertThat(snapshot.task().createdAt()).isEqualTo(CREATED_AT_IN_DB);
                    assertThat(snapshot.task().updatedAt()).isEqualTo(CREATED_AT_IN_DB);
                });
        asserter.assertThat(() -> stored(id), stored -> {
            assertThat(stored.task().name()).isEqualTo("Read a book");
            assertThat(stored.task().status()).isEqualTo(TaskStatus.PENDING);
            assertThat(stored.task().createdAt()).isEqualTo(CREATED_AT_IN_DB);
        });
    }

    @Test
    void updateChangesOnlyTheGivenFieldsAndBumpsTheVersion(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);

        asserter.assertThat(
                () -> writer.apply(
                        UUID.randomUUID(), new UpdateTask(id, null, TaskStatus.COMPLETED, null, LATER), place()),
                o -> {
                    var task = ((WriteOutcome.Updated) o).snapshot();
                    assertThat(task.version()).isEqualTo(2);
                    assertThat(task.task().name()).isEqualTo("Read a book");
                    assertThat(task.task().status()).isEqualTo(TaskStatus.COMPLETED);
                    assertThat(task.task().createdAt()).isEqualTo(CREATED_AT_IN_DB);
                    assertThat(task.task().updatedAt()).isEqualTo(LATER);
                });
        asserter.assertThat(() -> stored(id), stored -> {
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.task().status()).isEqualTo(TaskStatus.COMPLETED);
        });
    }

    @Test
    void updateNeverMovesUpdatedAtBackwards(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);
        asserter.execute(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "later", null, null, LATER), place()));

        var earlier = LATER.minusSeconds(60);
        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "earlier", null, null, earlier), place()),
                o -> {
                    var task = ((WriteOutcome.Updated) o).snapshot();
                    assertThat(task.task().name()).isEqualTo("earlier");
                    assertThat(task.task().updatedAt()).isEqualTo(LATER);
                    assertThat(task.version()).isEqualTo(3);
                });
    }

    @Test
    void updateWithAStaleIfMatchFailsAndChangesNothing(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);

        var stale = IfMatch.oneOf(List.of("\"2\""));
        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "lost", null, stale, LATER), place()), o -> {
                    var failed = (WriteOutcome.PreconditionFailed) o;
                    assertThat(failed.current().version()).isEqualTo(1);
                });
        asserter.assertThat(() -> stored(id), stored -> {
            assertThat(stored.version()).isEqualTo(1);
            assertThat(stored.task().name()).isEqualTo("Read a book");
        });
        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "any", null, IfMatch.any(), LATER), place()),
                o -> assertThat(o).isInstanceOf(WriteOutcome.Updated.class));
    }

    @Test
    void anIfMatchListingSeveralTagsAppliesWhenOneIsCurrentAndRecordsTheOutcome(UniAsserter asserter) {
        var id = UUID.randomUUID();
        var operation = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);

        var tags = IfMatch.oneOf(List.of("\"not-a-version\"", "\"7\"", "\"1\""));
        asserter.assertThat(
                () -> writer.apply(operation, new UpdateTask(id, null, TaskStatus.COMPLETED, tags, LATER), place()),
                o -> {
                    var updated = (WriteOutcome.Updated) o;
                    assertThat(updated.snapshot().version()).isEqualTo(2);
                    assertThat(updated.snapshot().task().name()).isEqualTo("Read a book");
                    assertThat(updated.snapshot().task().status()).isEqualTo(TaskStatus.COMPLETED);
                    assertThat(updated.snapshot().task().updatedAt()).isEqualTo(LATER);
                });
        asserter.assertThat(
                () -> Panache.withSession(() -> appliedOperations.findById(operation)),
                recorded -> assertThat(recorded.toOutcome())
                        .as("the record answers a resend exactly as the write was answered")
                        .isEqualTo(new WriteOutcome.Updated(new TaskSnapshot(
                                new TaskResponse(id, "Read a book", TaskStatus.COMPLETED, CREATED_AT_IN_DB, LATER),
                                2))));
        asserter.assertThat(
                () -> writer.apply(
                        UUID.randomUUID(),
                        new DeleteTask(id, IfMatch.oneOf(List.of("W/\"2\"", "\"02\"")), LATER),
                        place()),
                o -> assertThat(o)
                        .as("only our own strong tag of the current version matches")
                        .isInstanceOf(WriteOutcome.PreconditionFailed.class));
    }

    @Test
    void updateOfAnUnknownTaskIsNotFound(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);

        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "x", null, null, LATER), place()),
                o -> assertThat(o).isEqualTo(new WriteOutcome.NotFound(id)));
        asserter.assertThat(() -> Panache.withSession(() -> repository.count()), count -> assertThat(count)
                .isZero());
    }

    @Test
    void deleteRemovesTheTaskOnceAndHonoursIfMatch(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);

        asserter.assertThat(
                () -> writer.apply(
                        UUID.randomUUID(), new DeleteTask(id, IfMatch.oneOf(List.of("\"9\"")), LATER), place()),
                o -> assertThat(o).isInstanceOf(WriteOutcome.PreconditionFailed.class));
        asserter.assertThat(() -> stored(id), stored -> assertThat(stored).isNotNull());
        asserter.assertThat(
                () -> writer.apply(
                        UUID.randomUUID(), new DeleteTask(id, IfMatch.oneOf(List.of("\"1\"")), LATER), place()),
                o -> assertThat(o).isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(() -> stored(id), stored -> assertThat(stored).isNull());
        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new DeleteTask(id, null, LATER), place()),
                o -> assertThat(o).isEqualTo(new WriteOutcome.NotFound(id)));
    }

    @Test
    void deleteAllRemovesEveryTask(UniAsserter asserter) {
        emptyTable(asserter);
        create(asserter, UUID.randomUUID());
        create(asserter, UUID.randomUUID());

        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new DeleteAllTasks(LATER), place()),
                o -> assertThat(o).isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(() -> Panache.withSession(() -> repository.count()), count -> assertThat(count)
                .isZero());
    }

    /**
     * The API gave up waiting for its synchronous write (a timeout) but the transaction committed; the copy it
     * deferred under the same operation id must answer what was committed, not apply the write again (found by the
     * chaos suite under a slow PostgreSQL: a delete's copy answered 404, a conditional update's would answer 412).
     */
    @Test
    void theDeferredCopyOfASynchronousWriteThatCommittedAnswersItsOutcomeInsteadOfApplyingItAgain(
            UniAsserter asserter) {
        var updated = UUID.randomUUID();
        var deleted = UUID.randomUUID();
        var updateOperation = UUID.randomUUID();
        var deleteOperation = UUID.randomUUID();
        var update = new UpdateTask(updated, "renamed", null, IfMatch.oneOf(List.of("\"1\"")), LATER);
        var delete = new DeleteTask(deleted, null, LATER);
        emptyTable(asserter);
        create(asserter, updated);
        create(asserter, deleted);
        asserter.execute(() -> writer.apply(updateOperation, update, place()));
        asserter.execute(() -> writer.apply(deleteOperation, delete, place()));

        asserter.assertThat(() -> writer.applyOnce(updateOperation, update, place()), copy -> assertThat(copy)
                .isInstanceOfSatisfying(
                        WriteOutcome.Updated.class,
                        outcome -> assertThat(outcome.snapshot().version()).isEqualTo(2)));
        asserter.assertThat(() -> writer.applyOnce(deleteOperation, delete, place()), copy -> assertThat(copy)
                .isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(
                () -> stored(updated),
                stored -> assertThat(stored.version()).as("applied once").isEqualTo(2));
    }

    /**
     * A synchronous write resent under the operation id of a first attempt that committed (its client was answered
     * 503) answers that first outcome: the resend's own change is rolled back.
     */
    @Test
    void aSynchronousWriteResentUnderTheSameOperationIdAnswersWhatTheFirstAttemptCommitted(UniAsserter asserter) {
        var updated = UUID.randomUUID();
        var deleted = UUID.randomUUID();
        var updateOperation = UUID.randomUUID();
        var deleteOperation = UUID.randomUUID();
        var deleteAllOperation = UUID.randomUUID();
        var update = new UpdateTask(updated, "renamed once", null, IfMatch.oneOf(List.of("\"1\"")), LATER);
        var delete = new DeleteTask(deleted, null, LATER);
        emptyTable(asserter);
        create(asserter, updated);
        create(asserter, deleted);
        asserter.execute(() -> writer.apply(updateOperation, update, place()));
        asserter.execute(() -> writer.apply(deleteOperation, delete, place()));
        asserter.execute(() -> writer.apply(deleteAllOperation, new DeleteAllTasks(LATER), place()));
        var createdSince = UUID.randomUUID();
        create(asserter, createdSince);

        asserter.assertThat(() -> writer.apply(updateOperation, update, place()), again -> assertThat(again)
                .as("not 412: the version it bumped itself")
                .isInstanceOfSatisfying(WriteOutcome.Updated.class, outcome -> {
                    assertThat(outcome.snapshot().version()).isEqualTo(2);
                    assertThat(outcome.snapshot().task().name()).isEqualTo("renamed once");
                }));
        asserter.assertThat(
                () -> writer.apply(deleteOperation, delete, place()),
                again -> assertThat(again).as("not 404").isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(
                () -> writer.apply(deleteAllOperation, new DeleteAllTasks(LATER), place()),
                again -> assertThat(again).isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(() -> stored(createdSince), stored -> assertThat(stored)
                .as("the resent delete-all did not delete a task created after the first one")
                .isNotNull());
    }

    /**
     * A deferred write accepted before the task's last write (Redis forgot it was queued, and a later write was applied
     * at once): applying it would overwrite the newer write, so it is superseded, changes nothing, and says so again
     * when redelivered.
     */
    @Test
    void aDeferredWriteAcceptedBeforeTheTasksLastWriteIsSupersededAndChangesNothing(UniAsserter asserter) {
        var id = UUID.randomUUID();
        var renameOperation = UUID.randomUUID();
        var deleteOperation = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);
        var renamePlace = place();
        var deletePlace = place();
        asserter.execute(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "newer", null, null, LATER), place()));
        var olderRename = new UpdateTask(id, "older", null, null, LATER);
        var olderDelete = new DeleteTask(id, null, LATER);

        asserter.assertThat(
                () -> writer.applyOnce(renameOperation, olderRename, renamePlace),
                outcome -> assertThat(outcome).isInstanceOfSatisfying(WriteOutcome.Superseded.class, superseded -> {
                    assertThat(superseded.current().task().name()).isEqualTo("newer");
                    assertThat(superseded.status()).isEqualTo(409);
                }));
        asserter.assertThat(
                () -> writer.applyOnce(deleteOperation, olderDelete, deletePlace),
                outcome -> assertThat(outcome).isInstanceOf(WriteOutcome.Superseded.class));
        asserter.assertThat(() -> stored(id), stored -> {
            assertThat(stored.task().name()).isEqualTo("newer");
            assertThat(stored.version()).isEqualTo(2);
        });
        asserter.assertThat(
                () -> writer.applyOnce(renameOperation, olderRename, renamePlace),
                again -> assertThat(again).as("recorded").isInstanceOf(WriteOutcome.Superseded.class));
        asserter.assertThat(
                () -> writer.applyOnce(UUID.randomUUID(), new UpdateTask(id, "newest", null, null, LATER), place()),
                outcome -> assertThat(outcome).isInstanceOf(WriteOutcome.Updated.class));
    }

    /** A synchronous write is applied now: one still in flight beside it is concurrent, so either order is right. */
    @Test
    void aSynchronousWriteIsAppliedEvenWhenAWriteAcceptedAfterItWasAppliedFirst(UniAsserter asserter) {
        var id = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);
        var slowPlace = place();
        var fastPlace = place();
        asserter.execute(
                () -> writer.applyOnce(UUID.randomUUID(), new UpdateTask(id, "fast", null, null, LATER), fastPlace));

        asserter.assertThat(
                () -> writer.apply(UUID.randomUUID(), new UpdateTask(id, "slow", null, null, LATER), slowPlace),
                outcome -> assertThat(outcome).isInstanceOf(WriteOutcome.Updated.class));
        var afterBoth = place();
        asserter.assertThat(
                () -> writer.applyOnce(
                        UUID.randomUUID(), new UpdateTask(id, "deferred after both", null, null, LATER), afterBoth),
                outcome -> assertThat(outcome)
                        .as("a write accepted after both still follows them")
                        .isInstanceOf(WriteOutcome.Updated.class));
    }

    @Test
    void aDeleteAllDeletesOnlyTheTasksLastWrittenBeforeItWasAccepted(UniAsserter asserter) {
        var before = UUID.randomUUID();
        var renamedAfter = UUID.randomUUID();
        var createdAfter = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, before);
        create(asserter, renamedAfter);
        var deleteAllPlace = place();
        var renamePlace = place();
        asserter.execute(() -> writer.apply(
                UUID.randomUUID(), new UpdateTask(renamedAfter, "renamed", null, null, LATER), renamePlace));
        create(asserter, createdAfter);

        asserter.assertThat(
                () -> writer.applyOnce(UUID.randomUUID(), new DeleteAllTasks(LATER), deleteAllPlace),
                outcome -> assertThat(outcome).isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(() -> stored(before), stored -> assertThat(stored).isNull());
        asserter.assertThat(
                () -> stored(renamedAfter), stored -> assertThat(stored).isNotNull());
        asserter.assertThat(
                () -> stored(createdAfter), stored -> assertThat(stored).isNotNull());
    }

    @Test
    void aDeferredCreateAppliedTwiceCreatesOneTaskAndAnswersTheFirstOutcomeAgain(UniAsserter asserter) {
        var operation = UUID.randomUUID();
        var id = UUID.randomUUID();
        var create = new CreateTask(id, "once", TaskStatus.PENDING, CREATED_AT);
        emptyTable(asserter);

        asserter.execute(
                () -> writer.applyOnce(operation, create, place()).invoke(first -> asserter.putData("first", first)));
        asserter.assertThat(() -> writer.applyOnce(operation, create, place()), again -> {
            assertThat(again).isEqualTo(asserter.getData("first"));
            assertThat(again).isInstanceOf(WriteOutcome.Created.class);
        });
        asserter.assertThat(() -> Panache.withSession(() -> repository.count()), count -> assertThat(count)
                .isEqualTo(1));
    }

    @Test
    void aDeferredUpdateAppliedTwiceBumpsTheVersionOnce(UniAsserter asserter) {
        var id = UUID.randomUUID();
        var operation = UUID.randomUUID();
        var update = new UpdateTask(id, "renamed", null, null, LATER);
        emptyTable(asserter);
        create(asserter, id);

        asserter.execute(() -> writer.applyOnce(operation, update, place()));
        asserter.assertThat(() -> writer.applyOnce(operation, update, place()), again -> assertThat(
                        ((WriteOutcome.Updated) again).snapshot().version())
                .isEqualTo(2));
        asserter.assertThat(() -> stored(id), stored -> {
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.task().name()).isEqualTo("renamed");
        });
    }

    @Test
    void aDeferredBusinessFailureIsRecordedAndAnsweredAgain(UniAsserter asserter) {
        var id = UUID.randomUUID();
        var operation = UUID.randomUUID();
        var stale = new UpdateTask(id, "x", null, IfMatch.oneOf(List.of("\"7\"")), LATER);
        emptyTable(asserter);
        create(asserter, id);

        asserter.assertThat(() -> writer.applyOnce(operation, stale, place()), first -> assertThat(first)
                .isInstanceOf(WriteOutcome.PreconditionFailed.class));
        asserter.assertThat(() -> writer.applyOnce(operation, stale, place()), again -> {
            var failed = (WriteOutcome.PreconditionFailed) again;
            assertThat(failed.current().version()).isEqualTo(1);
            assertThat(failed.current().task().name()).isEqualTo("Read a book");
        });
        var missing = UUID.randomUUID();
        var deleteMissing = UUID.randomUUID();
        asserter.assertThat(
                () -> writer.applyOnce(deleteMissing, new DeleteTask(missing, null, LATER), place()),
                first -> assertThat(first).isEqualTo(new WriteOutcome.NotFound(missing)));
        asserter.assertThat(
                () -> writer.applyOnce(deleteMissing, new DeleteTask(missing, null, LATER), place()),
                again -> assertThat(again).isEqualTo(new WriteOutcome.NotFound(missing)));
    }

    @Test
    void aDeferredDeleteAppliedTwiceAnswers204BothTimes(UniAsserter asserter) {
        var id = UUID.randomUUID();
        var operation = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);

        asserter.assertThat(
                () -> writer.applyOnce(operation, new DeleteTask(id, null, LATER), place()),
                first -> assertThat(first).isEqualTo(new WriteOutcome.Deleted()));
        asserter.assertThat(
                () -> writer.applyOnce(operation, new DeleteTask(id, null, LATER), place()),
                again -> assertThat(again).isEqualTo(new WriteOutcome.Deleted()));
    }

    @Test
    void aDeferredCreateOfATaskThatAlreadyExistsIsTheCreateThatMadeIt(UniAsserter asserter) {
        // The API's synchronous create committed but answered too late, and the API deferred the same command.
        var id = UUID.randomUUID();
        emptyTable(asserter);
        create(asserter, id);

        asserter.assertThat(
                () -> writer.applyOnce(
                        UUID.randomUUID(), new CreateTask(id, "Read a book", TaskStatus.PENDING, LATER), place()),
                outcome -> {
                    var created = ((WriteOutcome.Created) outcome).snapshot();
                    assertThat(created.version()).isEqualTo(1);
                    assertThat(created.task().createdAt()).isEqualTo(CREATED_AT_IN_DB);
                });
        asserter.assertThat(() -> Panache.withSession(() -> repository.count()), count -> assertThat(count)
                .isEqualTo(1));
    }

    @Test
    void aBatchAppliesEachWriteOnceInOrderAndAnswersEachOutcome(UniAsserter asserter) {
        var id = UUID.randomUUID();
        var createOperation = UUID.randomUUID();
        var renameOperation = UUID.randomUUID();
        var create = new TaskWriter.Deferred(
                createOperation, new CreateTask(id, "batched", TaskStatus.PENDING, LATER), place());
        var rename = new TaskWriter.Deferred(
                renameOperation, new UpdateTask(id, "renamed in batch", null, null, LATER), place());
        var missing = UUID.randomUUID();
        emptyTable(asserter);
        // Applied before the batch (a redelivery): answered from its record, not applied again.
        asserter.execute(() -> writer.applyOnce(createOperation, create.write(), create.place())
                .replaceWithVoid());
        asserter.assertThat(
                () -> writer.applyAllOnce(List.of(
                        create,
                        rename,
                        rename,
                        new TaskWriter.Deferred(UUID.randomUUID(), new DeleteTask(missing, null, LATER), place()))),
                outcomes -> {
                    assertThat(outcomes).hasSize(4);
                    assertThat(outcomes.get(0)).isInstanceOf(WriteOutcome.Created.class);
                    var renamed = ((WriteOutcome.Updated) outcomes.get(1)).snapshot();
                    assertThat(renamed.version()).isEqualTo(2);
                    assertThat(outcomes.get(2))
                            .as("a duplicate in the same batch")
                            .isEqualTo(outcomes.get(1));
                    assertThat(outcomes.get(3)).isEqualTo(new WriteOutcome.NotFound(missing));
                });
        asserter.assertThat(() -> stored(id), stored -> {
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.task().name()).isEqualTo("renamed in batch");
        });
        asserter.assertThat(
                () -> Panache.withSession(() -> appliedOperations.count()),
                count -> assertThat(count).as("one record per operation").isEqualTo(3));
    }

    private void emptyTable(UniAsserter asserter) {
        asserter.execute(
                () -> Panache.withTransaction(() -> repository.deleteAll().chain(() -> appliedOperations.deleteAll())));
    }

    /** Creates the task; its place is taken now, so it comes before every place the test takes after this call. */
    private void create(UniAsserter asserter, UUID id) {
        var place = place();
        asserter.execute(() -> writer.apply(
                UUID.randomUUID(), new CreateTask(id, "Read a book", TaskStatus.PENDING, CREATED_AT), place));
    }

    private Uni<TaskSnapshot> stored(UUID id) {
        return Panache.withSession(() -> repository.findById(id)).map(task -> task == null ? null : task.toSnapshot());
    }
}
