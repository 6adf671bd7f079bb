package dev.resilient.task.infrastructure.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;

import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.persistence.RunToCompletion;
import dev.resilient.shared.persistence.TaskRepository;
import dev.resilient.shared.persistence.TaskWriter;

import io.smallrye.mutiny.Uni;

/**
 * The API's adapter to PostgreSQL: reads through the shared repository, writes through the shared write path, each
 * behind its breaker. Any failure comes out as {@link DependencyUnavailableException}.
 *
 * <p>Each call opens its session inside the guarded supplier (never an annotation on a method or above it), so the
 * breaker sees every PostgreSQL failure, including failing to connect (docs/pitfalls.md), and shields it from the
 * breaker's timeout ({@link RunToCompletion}: a cancelled session would leak its connection). Writes are shielded by
 * the write path itself.
 */
@ApplicationScoped
public class TaskStore {

    private final TaskRepository repository;
    private final TaskWriter writer;
    private final GuardedCalls guarded;

    public TaskStore(TaskRepository repository, TaskWriter writer, GuardedCalls guarded) {
        this.repository = repository;
        this.writer = writer;
        this.guarded = guarded;
    }

    /** At most {@code size} tasks, oldest first, after the given one (from the start when {@code afterId} is null). */
    public Uni<List<TaskResponse>> page(Instant afterCreatedAt, UUID afterId, int size) {
        return guarded.postgresRead(() -> RunToCompletion.of(
                        () -> Panache.withSession(() -> repository.pageOldestFirst(afterCreatedAt, afterId, size))))
                .map(tasks ->
                        tasks.stream().map(task -> task.toSnapshot().task()).toList())
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.POSTGRES_READ, failure));
    }

    /** The task, or null when there is none. */
    public Uni<TaskSnapshot> find(UUID id) {
        return guarded.postgresRead(() -> RunToCompletion.of(() -> Panache.withSession(() -> repository.findById(id))))
                .map(task -> task == null ? null : task.toSnapshot())
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.POSTGRES_READ, failure));
    }

    /**
     * Applies the write at its place, recorded under {@code operationId} (see {@link TaskWriter#apply}). Business outcomes (not
     * found, precondition failed) are values: they never count against the breaker.
     */
    public Uni<WriteOutcome> apply(UUID operationId, TaskWrite write, long place) {
        return guarded.postgresWrite(() -> writer.apply(operationId, write, place))
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.POSTGRES_WRITE, failure));
    }
}
