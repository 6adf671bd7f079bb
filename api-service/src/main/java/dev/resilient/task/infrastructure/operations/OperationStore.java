package dev.resilient.task.infrastructure.operations;

import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.shared.contract.OperationState;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.operations.OperationJournal;

import io.smallrye.mutiny.Uni;

/**
 * The shared journal of deferred writes ({@link OperationJournal}), behind the API's {@code redis-operations}
 * breaker: a Redis failure surfaces as {@link DependencyUnavailableException} (503 + Retry-After).
 */
@ApplicationScoped
public class OperationStore {

    private final OperationJournal journal;
    private final GuardedCalls guarded;

    public OperationStore(OperationJournal journal, GuardedCalls guarded) {
        this.journal = journal;
        this.guarded = guarded;
    }

    /** Records the write as deferred under this publication; answers its place. */
    public Uni<Long> defer(OperationState pending, TaskWrite write, UUID publicationId) {
        return guarded(() -> journal.defer(pending, write, publicationId));
    }

    /**
     * Cancels a write that was (or may have been) recorded but will not be published: bypasses the breaker (see
     * {@link GuardedCalls#redisCompensation}), and fails as {@link DependencyUnavailableException} like the others.
     */
    public Uni<Void> withdraw(UUID id, UUID publicationId, TaskWrite write) {
        return guarded.redisCompensation(() -> journal.cancel(id, publicationId, write))
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.REDIS_OPERATIONS, failure));
    }

    /** The write's place, and whether it must be queued behind deferred writes it would otherwise overtake. */
    public Uni<OperationJournal.Admission> admit(TaskWrite write) {
        return guarded(() -> journal.admit(write));
    }

    /** The state, or null when the operation is unknown or expired. */
    public Uni<OperationState> find(UUID id) {
        return guarded(() -> journal.find(id));
    }

    private <T> Uni<T> guarded(Supplier<Uni<T>> call) {
        return guarded.redisOperations(call)
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.REDIS_OPERATIONS, failure));
    }
}
