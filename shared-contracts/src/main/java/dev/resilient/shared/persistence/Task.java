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

    /** The place (in the order of accepted writes) of the last write applied; see {@link TaskWriter}. */
    @Column(name = "last_write_place", nullable = false)
    private long lastWritePlace;

    protected Task() {}

    Task(UUID id, String name, TaskStatus status, Instant createdAt, long place) {
        this.id = id;
        this.name = name;
        this.status = status;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.version = 1;
        this.lastWritePlace = place;
    }

    /** Whether a write with this place was accepted before the last write applied to this task. */
    boolean isNewerThan(long place) {
        return place < lastWritePlace;
    }

    /**
     * Applies a partial update: null fields stay as they are; {@code updatedAt} never moves backwards; the task's last
     * place moves forward, to the write's own place or, if that is not ahead of it, just past it.
     */
    void update(String newName, TaskStatus newStatus, Instant at, long place) {
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
        lastWritePlace = Math.max(lastWritePlace + 1, place);
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
