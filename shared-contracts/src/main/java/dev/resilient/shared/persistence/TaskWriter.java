package dev.resilient.shared.persistence;

import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;

import dev.resilient.shared.contract.IfMatch;
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
 *
 * <p>Order: every write carries its place in the order of accepted writes, and a task keeps the place of the last
 * write applied to it. A deferred write whose place is older than that is not applied ({@link
 * WriteOutcome.Superseded}): a write accepted after it has already changed the task, maybe answered 200 to its
 * client, and must not be overwritten by an older one. A delete-all deletes only the tasks last written before it.
 * A synchronous write is never superseded: it is applied now, and a write still in flight beside it is concurrent
 * with it, so either order is right. This check lives with the task, so it holds when Redis forgets the queued order.
 */
@ApplicationScoped
public class TaskWriter {

    private static final String UNIQUE_VIOLATION = "23505";

    private final TaskRepository repository;
    private final AppliedOperationRepository appliedOperations;
    private final OneStatementWrites oneStatement;
    private final Clock clock = Clock.systemUTC();

    public TaskWriter(
            TaskRepository repository, AppliedOperationRepository appliedOperations, OneStatementWrites oneStatement) {
        this.repository = repository;
        this.appliedOperations = appliedOperations;
        this.oneStatement = oneStatement;
    }

    /**
     * Applies a synchronous write (the API's) and records it under {@code operationId} in the same transaction. The API
     * derives the operation id from the request's idempotency identity (method, path, key, body), so every resend of
     * one request carries the same id; that is what makes a resend answer what committed, when the first attempt
     * committed although its client never saw the answer (it timed out, and deferring it failed too: 503):
     *
     * <ul>
     *   <li>the resend's own change is rolled back (its record collides with the first one's) and the first outcome is
     *       answered: an {@code If-Match} update is not refused with 412 by the version it bumped itself, a delete is
     *       not 404, a delete-all does not also delete the tasks created since;
     *   <li>a deferred copy of the write (same id) finds the record in {@link #applyOnce} and reports it too.
     * </ul>
     *
     * <p>A create whose task id is taken but has no record (its record was purged) is answered as created: the API
     * derives the task id from the request as well, so that task is the one this create made.
     *
     * <p>A write that applies as asked takes one statement ({@link OneStatementWrites}); one that does not (404, 412)
     * and a delete-all take the transaction below, which finds out why and records that.
     */
    public Uni<WriteOutcome> apply(UUID operationId, TaskWrite write, long place) {
        var synchronous = new Placed(write, place, false);
        return RunToCompletion.of(() -> inOneStatement(operationId, write, place))
                .chain(outcome -> outcome != null
                        ? Uni.createFrom().item(outcome)
                        : applyRecorded(operationId, () -> applyInTransaction(synchronous)))
                .onFailure(TaskWriter::isUniqueViolation)
                .recoverWithUni(collision -> firstOutcome(operationId, synchronous, collision));
    }

    /** The write and its record in one statement, or null when it did not apply as asked (nothing changed). */
    private Uni<WriteOutcome> inOneStatement(UUID operationId, TaskWrite write, long place) {
        var appliedAt = clock.instant();
        if (write instanceof CreateTask create) {
            return oneStatement.create(operationId, create, place, appliedAt);
        } else if (write instanceof UpdateTask update) {
            return oneStatement.update(operationId, update, place, appliedAt);
        } else if (write instanceof DeleteTask delete) {
            return oneStatement.delete(operationId, delete, appliedAt);
        }
        return Uni.createFrom().nullItem();
    }

    /** The outcome recorded under the operation id; for a create without one, the task it made; else the failure. */
    private Uni<WriteOutcome> firstOutcome(UUID operationId, Placed write, Throwable collision) {
        return RunToCompletion.of(() -> Panache.withSession(() -> appliedOperations.findById(operationId)))
                .chain(recorded -> {
                    if (recorded != null) {
                        return Uni.createFrom().item(recorded.toOutcome());
                    }
                    if (write.command() instanceof CreateTask) {
                        return applyRecorded(operationId, () -> applyDeferred(write));
                    }
                    return Uni.createFrom().failure(collision);
                });
    }

    /** Applies the change and records it under {@code operationId}, in one transaction. */
    private Uni<WriteOutcome> applyRecorded(UUID operationId, Supplier<Uni<WriteOutcome>> change) {
        return RunToCompletion.of(() -> Panache.withTransaction(() -> change.get()
                .call(outcome -> appliedOperations.persist(AppliedOperation.of(
                        operationId, outcome, clock.instant().truncatedTo(ChronoUnit.MICROS))))));
    }

    /**
     * A command with its place in the order of accepted writes.
     *
     * @param fenced whether a write older than the task's last one is superseded (deferred writes) or applied anyway
     *     (synchronous ones)
     */
    private record Placed(TaskWrite command, long place, boolean fenced) {}

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
     * Applies a deferred write exactly once in effect: its operation id is recorded in the same transaction as the
     * change, so a redelivered or duplicated message finds the record, changes nothing and answers the first outcome.
     * If two deliveries race, the second insert of the record violates its primary key and rolls back that
     * transaction, change included; the caller treats that as transient, and the retry finds the record.
     */
    public Uni<WriteOutcome> applyOnce(UUID operationId, TaskWrite write, long place) {
        return RunToCompletion.of(() -> Panache.withTransaction(
                () -> appliedOperations.findById(operationId).chain(recorded -> {
                    if (recorded != null) {
                        return Uni.createFrom().item(recorded.toOutcome());
                    }
                    return applyDeferred(new Placed(write, place, true))
                            .call(outcome -> appliedOperations.persist(AppliedOperation.of(
                                    operationId, outcome, clock.instant().truncatedTo(ChronoUnit.MICROS))));
                })));
    }

    /** One deferred write of a batch: its operation id, the command and its place in the order of accepted writes. */
    public record Deferred(UUID operationId, TaskWrite write, long place) {}

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
            applied = applyInTransaction(new Placed(deferred.write(), deferred.place(), true));
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
    private Uni<WriteOutcome> applyDeferred(Placed write) {
        if (write.command() instanceof CreateTask create) {
            return repository
                    .findById(create.taskId())
                    .chain(existing -> existing != null
                            ? Uni.createFrom().item(new WriteOutcome.Created(existing.toSnapshot()))
                            : create(create, write.place()));
        }
        return applyInTransaction(write);
    }

    /** Applies the write inside the caller's transaction. */
    private Uni<WriteOutcome> applyInTransaction(Placed write) {
        // Java 17 has no pattern matching for switch; TaskWrite is sealed, so these four are all there are.
        var command = write.command();
        if (command instanceof CreateTask create) {
            return create(create, write.place());
        } else if (command instanceof UpdateTask update) {
            return update(update, write);
        } else if (command instanceof DeleteTask delete) {
            return delete(delete, write);
        } else if (command instanceof DeleteAllTasks) {
            return deleteAll(write.place());
        }
        throw new IllegalArgumentException(
                "Unknown write: " + command.getClass().getSimpleName());
    }

    private Uni<WriteOutcome> create(CreateTask create, long place) {
        var task = new Task(
                create.taskId(),
                create.name(),
                create.status(),
                create.requestedAt().truncatedTo(ChronoUnit.MICROS),
                place);
        return repository.persist(task).map(created -> new WriteOutcome.Created(created.toSnapshot()));
    }

    private Uni<WriteOutcome> update(UpdateTask update, Placed write) {
        return repository.findForUpdate(update.taskId()).map(task -> {
            var refused = refusal(task, update.taskId(), update.ifMatch(), write);
            if (refused != null) {
                return refused;
            }
            task.update(
                    update.name(), update.status(), update.requestedAt().truncatedTo(ChronoUnit.MICROS), write.place());
            return new WriteOutcome.Updated(task.toSnapshot());
        });
    }

    private Uni<WriteOutcome> delete(DeleteTask delete, Placed write) {
        return repository.findForUpdate(delete.taskId()).chain(task -> {
            var refused = refusal(task, delete.taskId(), delete.ifMatch(), write);
            if (refused != null) {
                return Uni.createFrom().item(refused);
            }
            return repository.deleteLoaded(task).replaceWith(new WriteOutcome.Deleted());
        });
    }

    /** Why a write to this (locked) task may not be applied, or null when it may. */
    private static WriteOutcome refusal(Task task, UUID taskId, IfMatch ifMatch, Placed write) {
        if (task == null) {
            return new WriteOutcome.NotFound(taskId);
        }
        if (write.fenced() && task.isNewerThan(write.place())) {
            return new WriteOutcome.Superseded(taskId, task.toSnapshot());
        }
        if (ifMatch != null && !ifMatch.matches(task.getVersion())) {
            return new WriteOutcome.PreconditionFailed(taskId, task.toSnapshot());
        }
        return null;
    }

    private Uni<WriteOutcome> deleteAll(long place) {
        return repository.deleteAllBefore(place).replaceWith(new WriteOutcome.Deleted());
    }
}
