package dev.resilient.shared.persistence;

import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;

import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.TaskWrite.CreateTask;
import dev.resilient.shared.contract.TaskWrite.DeleteAllTasks;
import dev.resilient.shared.contract.TaskWrite.DeleteTask;
import dev.resilient.shared.contract.TaskWrite.UpdateTask;
import dev.resilient.shared.contract.WriteOutcome;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/**
 * The write path: the only code that changes tasks in PostgreSQL. api-service calls it for a synchronous write and
 * write-worker for a deferred one, so both have exactly the same effect and produce the same {@link WriteOutcome}.
 *
 * <p>Each call runs in its own transaction. Preconditions are checked on the row locked for the change, so a
 * concurrent writer can never slip between the check and the update. A transaction, once started, runs to its end even
 * if the caller stops waiting ({@link RunToCompletion}): a timed-out write may still commit.
 */
@ApplicationScoped
public class TaskWriter {

    private static final String UNIQUE_VIOLATION = "23505";

    private final TaskRepository repository;
    private final AppliedOperationRepository appliedOperations;
    private final Clock clock = Clock.systemUTC();

    public TaskWriter(TaskRepository repository, AppliedOperationRepository appliedOperations) {
        this.repository = repository;
        this.appliedOperations = appliedOperations;
    }

    /**
     * Applies a synchronous write (the API's, answered at once; its retries are deduplicated by Idempotency-Key) and
     * records it under {@code operationId} in the same transaction. The record is for the case where the API stops
     * waiting (a timeout) but the transaction still commits: the API then defers a copy under the same id, and the
     * worker's {@link #applyOnce} finds the record and answers its outcome, instead of applying the write a second
     * time (an update twice, a conditional one as 412, a delete as 404: the chaos suite's slow-PostgreSQL scenario).
     *
     * <p>A create whose task id is taken is the resend of a create whose first attempt committed although the client
     * was answered 503 (its PostgreSQL call timed out and deferring it failed too; {@code make load} on a cold start). The
     * API gives every resend of a request the same task id (api-service {@code IdempotentRequest}), so that task is
     * the one this create made: it is answered as created, as a deferred copy would be ({@link #applyDeferred}),
     * instead of failing, or, with a fresh id, creating a second one.
     */
    public Uni<WriteOutcome> apply(UUID operationId, TaskWrite write) {
        return applyRecorded(operationId, write, this::applyInTransaction)
                .onFailure(failure -> write instanceof CreateTask && isUniqueViolation(failure))
                .recoverWithUni(() -> applyRecorded(operationId, write, this::applyDeferred));
    }

    /** Applies the change and records it under {@code operationId}, in one transaction. */
    private Uni<WriteOutcome> applyRecorded(
            UUID operationId, TaskWrite write, Function<TaskWrite, Uni<WriteOutcome>> change) {
        return RunToCompletion.of(() -> Panache.withTransaction(() -> change.apply(write)
                .call(outcome -> appliedOperations.persist(AppliedOperation.of(
                        operationId, outcome, clock.instant().truncatedTo(ChronoUnit.MICROS))))));
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            // Hibernate Reactive reports a failed statement as an SQLException with the SQLSTATE, a plain query as a
            // PgException
            if (UNIQUE_VIOLATION.equals(cause instanceof SQLException sql ? sql.getSQLState() : null)
                    || cause instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies a deferred write exactly once in effect: the operation is recorded in the same transaction as the
     * change, so a redelivered or duplicated message finds the record, changes nothing and answers the first outcome.
     * If two deliveries race, the second insert of the record violates its primary key and rolls back that
     * transaction, change included; the caller treats that as transient, and the retry finds the record.
     */
    public Uni<WriteOutcome> applyOnce(UUID operationId, TaskWrite write) {
        return RunToCompletion.of(() -> Panache.withTransaction(
                () -> appliedOperations.findById(operationId).chain(recorded -> {
                    if (recorded != null) {
                        return Uni.createFrom().item(recorded.toOutcome());
                    }
                    return applyDeferred(write)
                            .call(outcome -> appliedOperations.persist(AppliedOperation.of(
                                    operationId, outcome, clock.instant().truncatedTo(ChronoUnit.MICROS))));
                })));
    }

    /** One deferred write of a batch: its operation id and the command. */
    public record Deferred(UUID operationId, TaskWrite write) {}

    /**
     * Applies several deferred writes in one transaction, in the given order, each exactly once in effect (as
     * {@link #applyOnce}); the outcomes come back in the same order. One transaction for many writes is what lets the
     * worker drain a backlog fast. If it fails, none of it is applied: the caller applies the writes one by one to
     * find the one at fault.
     *
     * <p>The operations are recorded after all the writes, so the inserts reach PostgreSQL grouped by table (the
     * tasks', then the records'), which is what lets Hibernate send each group as one batched statement. Hibernate's
     * own insert ordering ({@code hibernate.order_inserts}) must stay off: in Hibernate Reactive it dropped inserts
     * from a flush (tasks committed without their record and records without their task, in the drain benchmark).
     */
    public Uni<List<WriteOutcome>> applyAllOnce(List<Deferred> writes) {
        var operationIds = writes.stream().map(Deferred::operationId).toList();
        var createdIds = writes.stream()
                .map(Deferred::write)
                .filter(CreateTask.class::isInstance)
                .map(write -> ((CreateTask) write).taskId())
                .toList();
        return RunToCompletion.of(() -> Panache.withTransaction(() -> appliedOperations
                .list("operationId in ?1", operationIds)
                .chain(recorded -> existing(createdIds).map(tasks -> {
                    var outcomes = new HashMap<UUID, WriteOutcome>();
                    recorded.forEach(record -> outcomes.put(record.operationId(), record.toOutcome()));
                    return new Batch(outcomes, new LinkedHashMap<>(), tasks);
                }))
                .chain(batch -> Multi.createFrom()
                        .iterable(writes)
                        .onItem()
                        .transformToUniAndConcatenate(deferred -> applyInBatch(deferred, batch))
                        .collect()
                        .asList()
                        .call(outcomes -> record(batch.applied())))));
    }

    /**
     * What a batch knows up front (outcomes already recorded, tasks that exist) and what it applied, in order: the
     * first outcome of each operation, so a duplicate within the batch reports it too.
     */
    private record Batch(Map<UUID, WriteOutcome> outcomes, Map<UUID, WriteOutcome> applied, Map<UUID, Task> tasks) {}

    private Uni<WriteOutcome> applyInBatch(Deferred deferred, Batch batch) {
        var first = batch.outcomes().get(deferred.operationId());
        if (first != null) {
            return Uni.createFrom().item(first);
        }
        Uni<WriteOutcome> applied;
        if (deferred.write() instanceof CreateTask create && batch.tasks().containsKey(create.taskId())) {
            applied = Uni.createFrom()
                    .item(new WriteOutcome.Created(
                            batch.tasks().get(create.taskId()).toSnapshot()));
        } else {
            applied = applyInTransaction(deferred.write());
        }
        return applied.invoke(outcome -> {
            batch.outcomes().put(deferred.operationId(), outcome);
            batch.applied().put(deferred.operationId(), outcome);
        });
    }

    private Uni<Void> record(Map<UUID, WriteOutcome> applied) {
        if (applied.isEmpty()) {
            return Uni.createFrom().voidItem(); // all duplicates; and Panache refuses to persist nothing
        }
        var appliedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return appliedOperations.persist(applied.entrySet().stream()
                .map(entry -> AppliedOperation.of(entry.getKey(), entry.getValue(), appliedAt)));
    }

    /** The tasks of these creates that already exist, in one query. */
    private Uni<Map<UUID, Task>> existing(List<UUID> taskIds) {
        if (taskIds.isEmpty()) {
            return Uni.createFrom().item(new HashMap<>());
        }
        return repository.list("id in ?1", taskIds).map(tasks -> {
            var byId = new HashMap<UUID, Task>();
            tasks.forEach(task -> byId.put(task.getId(), task));
            return byId;
        });
    }

    /**
     * A deferred create may find its task already there: the API's synchronous attempt committed but answered too late
     * (a timeout), and the API deferred the same command, with the same task id. The task is then the one this create
     * made, so the outcome is "created", not a duplicate-key failure retried into the dead-letter queue.
     */
    private Uni<WriteOutcome> applyDeferred(TaskWrite write) {
        if (write instanceof CreateTask create) {
            return repository
                    .findById(create.taskId())
                    .chain(existing -> existing != null
                            ? Uni.createFrom().item(new WriteOutcome.Created(existing.toSnapshot()))
                            : create(create));
        }
        return applyInTransaction(write);
    }

    /** Applies the write inside the caller's transaction. */
    Uni<WriteOutcome> applyInTransaction(TaskWrite write) {
        // Java 17 has no pattern matching for switch; TaskWrite is sealed, so these four are all there are.
        if (write instanceof CreateTask create) {
            return create(create);
        } else if (write instanceof UpdateTask update) {
            return update(update);
        } else if (write instanceof DeleteTask delete) {
            return delete(delete);
        } else if (write instanceof DeleteAllTasks) {
            return deleteAll();
        }
        throw new IllegalArgumentException("Unknown write: " + write.getClass().getSimpleName());
    }

    private Uni<WriteOutcome> create(CreateTask create) {
        var task = new Task(
                create.taskId(),
                create.name(),
                create.status(),
                create.requestedAt().truncatedTo(ChronoUnit.MICROS));
        return repository.persist(task).map(created -> new WriteOutcome.Created(created.toSnapshot()));
    }

    private Uni<WriteOutcome> update(UpdateTask update) {
        return repository.findForUpdate(update.taskId()).map(task -> {
            if (task == null) {
                return new WriteOutcome.NotFound(update.taskId());
            }
            if (update.ifMatch() != null && !update.ifMatch().matches(task.getVersion())) {
                return new WriteOutcome.PreconditionFailed(update.taskId(), task.toSnapshot());
            }
            task.update(update.name(), update.status(), update.requestedAt().truncatedTo(ChronoUnit.MICROS));
            return new WriteOutcome.Updated(task.toSnapshot());
        });
    }

    private Uni<WriteOutcome> delete(DeleteTask delete) {
        return repository.findForUpdate(delete.taskId()).chain(task -> {
            if (task == null) {
                return Uni.createFrom().item(new WriteOutcome.NotFound(delete.taskId()));
            }
            if (delete.ifMatch() != null && !delete.ifMatch().matches(task.getVersion())) {
                return Uni.createFrom().item(new WriteOutcome.PreconditionFailed(delete.taskId(), task.toSnapshot()));
            }
            return repository.deleteLoaded(task).replaceWith(new WriteOutcome.Deleted());
        });
    }

    private Uni<WriteOutcome> deleteAll() {
        return repository.deleteAll().replaceWith(new WriteOutcome.Deleted());
    }
}
