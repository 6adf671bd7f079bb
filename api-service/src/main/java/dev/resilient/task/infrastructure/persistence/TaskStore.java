package dev.resilient.task.infrastructure.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;

import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.persistence.TaskRepository;
import dev.resilient.shared.persistence.TaskWriter;

import io.smallrye.mutiny.Uni;

/**
 * The API's adapter to PostgreSQL: reads through the shared repository, writes through the shared write path.
 *
 * <p>Each method opens its own session inside itself (never an annotation on it or above it), so that a guard placed
 * on these methods sees every PostgreSQL failure (PITFALLS.md).
 */
@ApplicationScoped
public class TaskStore {

    private final TaskRepository repository;
    private final TaskWriter writer;

    public TaskStore(TaskRepository repository, TaskWriter writer) {
        this.repository = repository;
        this.writer = writer;
    }

    public Uni<List<TaskResponse>> list() {
        return Panache.withSession(repository::listOldestFirst)
                .map(tasks ->
                        tasks.stream().map(task -> task.toSnapshot().task()).toList());
    }

    /** The task, or null when there is none. */
    public Uni<TaskSnapshot> find(UUID id) {
        return Panache.withSession(() -> repository.findById(id)).map(task -> task == null ? null : task.toSnapshot());
    }

    public Uni<WriteOutcome> apply(TaskWrite write) {
        return writer.apply(write);
    }
}
