package dev.resilient.shared.persistence;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;

import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.TaskWrite.CreateTask;
import dev.resilient.shared.contract.TaskWrite.DeleteAllTasks;
import dev.resilient.shared.contract.TaskWrite.DeleteTask;
import dev.resilient.shared.contract.TaskWrite.UpdateTask;
import dev.resilient.shared.contract.WriteOutcome;

import io.smallrye.mutiny.Uni;

/**
 * The write path: the only code that changes tasks in PostgreSQL. api-service calls it for a synchronous write and
 * write-worker for a deferred one, so both have exactly the same effect and produce the same {@link WriteOutcome}.
 *
 * <p>Each call runs in its own transaction. Preconditions are checked on the row locked for the change, so a
 * concurrent writer can never slip between the check and the update.
 */
@ApplicationScoped
public class TaskWriter {

    private final TaskRepository repository;
    private final AppliedOperationRepository appliedOperations;
    private final Clock clock = Clock.systemUTC();

    public TaskWriter(TaskRepository repository, AppliedOperationRepository appliedOperations) {
        this.repository = repository;
        this.appliedOperations = appliedOperations;
    }

    /** Applies a synchronous write (the API's, answered at once; its retries are deduplicated by Idempotency-Key). */
    public Uni<WriteOutcome> apply(TaskWrite write) {
        return Panache.withTransaction(() -> applyInTransaction(write));
    }

    /**
     * Applies a deferred write exactly once in effect: the operation is recorded in the same transaction as the
     * change, so a redelivered or duplicated message finds the record, changes nothing and answers the first outcome.
     * If two deliveries race, the second insert of the record violates its primary key and rolls back that
     * transaction, change included; the caller treats that as transient, and the retry finds the record.
     */
    public Uni<WriteOutcome> applyOnce(UUID operationId, TaskWrite write) {
        return Panache.withTransaction(
                () -> appliedOperations.findById(operationId).chain(recorded -> {
                    if (recorded != null) {
                        return Uni.createFrom().item(recorded.toOutcome());
                    }
                    return applyInTransaction(write)
                            .call(outcome -> appliedOperations.persist(AppliedOperation.of(
                                    operationId, outcome, clock.instant().truncatedTo(ChronoUnit.MICROS))));
                }));
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
            return repository.delete(task).replaceWith(new WriteOutcome.Deleted());
        });
    }

    private Uni<WriteOutcome> deleteAll() {
        return repository.deleteAll().replaceWith(new WriteOutcome.Deleted());
    }
}
