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

/** A task row. Only the write path changes it; everything outside this package sees {@link TaskSnapshot}s. */
@Entity
@Table(name = "tasks")
public class Task {

    @Id
    private UUID id;

    @Column(nullable = false, columnDefinition = "text")
    private String name;

    @Convert(converter = TaskStatusConverter.class)
    @Column(nullable = false, columnDefinition = "text")
    private TaskStatus status;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    /** Bumped by every change; the ETag. Managed by the write path, not by JPA optimistic locking. */
    @Column(nullable = false)
    private long version;

    protected Task() {}

    Task(UUID id, String name, TaskStatus status, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.status = status;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.version = 1;
    }

    /** Applies a partial update: null fields stay as they are; {@code updatedAt} never moves backwards. */
    void update(String newName, TaskStatus newStatus, Instant at) {
        if (newName != null) {
            name = newName;
        }
        if (newStatus != null) {
            status = newStatus;
        }
        if (at.isAfter(updatedAt)) {
            updatedAt = at;
        }
        version++;
    }

    public UUID getId() {
        return id;
    }

    public long getVersion() {
        return version;
    }

    public TaskSnapshot toSnapshot() {
        return new TaskSnapshot(new TaskResponse(id, name, status, createdAt, updatedAt), version);
    }
}
