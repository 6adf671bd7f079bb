package dev.resilient.shared.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.WriteOutcome;

/**
 * A deferred write that has been applied, with its outcome, recorded in the same transaction as the change itself
 * (see {@link TaskWriter#applyOnce}). Its presence is what makes a redelivered message change nothing.
 */
@Entity
@Table(name = "applied_operations")
public class AppliedOperation {

    @Id
    @Column(name = "operation_id")
    private UUID operationId;

    /** The HTTP status of the outcome; a short, as the column is a smallint. */
    @Column(nullable = false)
    private short status;

    @Column(name = "task_id")
    private UUID taskId;

    @Column(columnDefinition = "text")
    private String name;

    @Convert(converter = TaskStatusConverter.class)
    @Column(name = "task_status", columnDefinition = "text")
    private TaskStatus taskStatus;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "updated_at")
    private Instant updatedAt;

    private Long version;

    @Column(name = "applied_at", nullable = false)
    private Instant appliedAt;

    protected AppliedOperation() {}

    /** The record of {@code outcome}, the result of applying operation {@code operationId}. */
    static AppliedOperation of(UUID operationId, WriteOutcome outcome, Instant appliedAt) {
        var record = new AppliedOperation();
        record.operationId = operationId;
        record.status = (short) outcome.status();
        record.appliedAt = appliedAt;
        if (outcome instanceof WriteOutcome.Created created) {
            record.keep(created.snapshot());
        } else if (outcome instanceof WriteOutcome.Updated updated) {
            record.keep(updated.snapshot());
        } else if (outcome instanceof WriteOutcome.PreconditionFailed failed) {
            record.keep(failed.current());
        } else if (outcome instanceof WriteOutcome.Superseded superseded) {
            record.keep(superseded.current());
        } else if (outcome instanceof WriteOutcome.NotFound notFound) {
            record.taskId = notFound.taskId();
        }
        return record;
    }

    UUID operationId() {
        return operationId;
    }

    /** The outcome exactly as it was the first time. */
    WriteOutcome toOutcome() {
        return switch (status) {
            case 201 -> new WriteOutcome.Created(snapshot());
            case 200 -> new WriteOutcome.Updated(snapshot());
            case 204 -> new WriteOutcome.Deleted();
            case 404 -> new WriteOutcome.NotFound(taskId);
            case 412 -> new WriteOutcome.PreconditionFailed(taskId, snapshot());
            case 409 -> new WriteOutcome.Superseded(taskId, snapshot());
            default -> throw new IllegalStateException("Unknown recorded status " + status + " of " + operationId);
        };
    }

    private void keep(TaskSnapshot snapshot) {
        var task = snapshot.task();
        taskId = task.id();
        name = task.name();
        taskStatus = task.status();
        createdAt = task.createdAt();
        updatedAt = task.updatedAt();
        version = snapshot.version();
    }

    private TaskSnapshot snapshot() {
        return new TaskSnapshot(new TaskResponse(taskId, name, taskStatus, createdAt, updatedAt), version);
    }
}
