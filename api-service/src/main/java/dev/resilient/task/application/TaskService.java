package dev.resilient.task.application;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.shared.contract.IfMatch;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.task.infrastructure.persistence.TaskStore;

import io.smallrye.mutiny.Uni;

/**
 * The task use cases: turns each request into a {@link TaskWrite} (assigning a new task its id and every write its
 * time) and hands it to the store. Where a write goes when PostgreSQL cannot take it is decided here.
 */
@ApplicationScoped
public class TaskService {

    private final TaskStore store;
    private final Clock clock;

    public TaskService(TaskStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public Uni<List<TaskResponse>> list() {
        return store.list();
    }

    /** The task, or null when there is none. */
    public Uni<TaskSnapshot> find(UUID id) {
        return store.find(id);
    }

    public Uni<WriteOutcome> create(String name, TaskStatus status) {
        var initialStatus = status == null ? TaskStatus.PENDING : status;
        return store.apply(new TaskWrite.CreateTask(UUID.randomUUID(), name, initialStatus, clock.instant()));
    }

    public Uni<WriteOutcome> update(UUID id, String name, TaskStatus status, IfMatch ifMatch) {
        return store.apply(new TaskWrite.UpdateTask(id, name, status, ifMatch, clock.instant()));
    }

    public Uni<WriteOutcome> delete(UUID id, IfMatch ifMatch) {
        return store.apply(new TaskWrite.DeleteTask(id, ifMatch, clock.instant()));
    }

    public Uni<WriteOutcome> deleteAll() {
        return store.apply(new TaskWrite.DeleteAllTasks(clock.instant()));
    }
}
