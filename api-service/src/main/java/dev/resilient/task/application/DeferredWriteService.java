package dev.resilient.task.application;

import java.time.Clock;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.quarkus.logging.Log;

import dev.resilient.common.resilience.Dependencies;
import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.deferred.DeferredWriteJournal;
import dev.resilient.task.infrastructure.deferred.DeferredWritesConfig;
import dev.resilient.task.infrastructure.messaging.DeferredWritePublisher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Defers a write PostgreSQL cannot take (docs/design.md section 5): records the deferred write as pending, publishes it
 * (persistent, confirmed) and only then answers 202. If the broker cannot confirm, the deferred write is withdrawn (state
 * removed, its place in its task's order given up, a late delivery dropped by the worker), so no client ever polls a
 * deferred write that nothing will complete, and the failure answers 503. So is a recording that failed in a way that may
 * have reached Redis (a late answer): left in the order, a write nothing publishes would hold every later write to
 * its task back until the worker presumes it lost (minutes; found by the chaos suite, loadtest/).
 */
@ApplicationScoped
public class DeferredWriteService {

    private final Dependencies dependencies;
    private final DeferredWriteJournal journal;
    private final DeferredWritePublisher publisher;
    private final DeferredWritesConfig config;
    private final Clock clock;
    private final Counter enqueued;

    public DeferredWriteService(
            Dependencies dependencies,
            DeferredWriteJournal journal,
            DeferredWritePublisher publisher,
            DeferredWritesConfig config,
            Clock clock,
            MeterRegistry registry) {
        this.dependencies = dependencies;
        this.journal = journal;
        this.publisher = publisher;
        this.config = config;
        this.clock = clock;
        this.enqueued = Counter.builder("tasks.deferred.published")
                .description("Writes deferred to the worker because PostgreSQL could not take them")
                .register(registry);
    }

    /** Whether writes are deferred at all (see {@link DeferredWritesConfig#deferWrites()}). */
    public boolean enabled() {
        return config.deferWrites();
    }

    /**
     * Defers the write as operation {@code operationId}: the id its synchronous attempt, if any, was recorded under
     * (see {@code TaskWriter#apply}).
     */
    public Uni<WriteAnswer> defer(UUID operationId, TaskWrite write) {
        var now = clock.instant();
        var publication = UUID.randomUUID();
        return dependencies
                .journal(() -> journal.defer(DeferredWriteState.pending(operationId, now), write, publication))
                .onFailure(DeferredWriteService::mayHaveReachedRedis)
                .call(() -> withdraw(operationId, publication, write))
                .chain(place -> publisher
                        .publish(new DeferredTaskWrite(operationId, write, now, place, publication))
                        .onFailure()
                        .call(() -> withdraw(operationId, publication, write)))
                .invoke(() -> {
                    enqueued.increment();
                    Log.debugf(
                            "Deferred write %s as operation %s",
                            write.getClass().getSimpleName(), operationId);
                })
                .replaceWith(new WriteAnswer.Deferred(operationId, config.pollAfterSeconds()));
    }

    /** Best effort: if even this fails, the worker presumes the write lost after its hold limit. */
    private Uni<Void> withdraw(UUID operationId, UUID publication, TaskWrite write) {
        return dependencies
                .journalCompensation(() -> journal.cancel(operationId, publication, write))
                .onFailure()
                .recoverWithNull();
    }

    /** An open breaker refused the call before it was sent: nothing can have been recorded. */
    private static boolean mayHaveReachedRedis(Throwable failure) {
        return !(failure.getCause() instanceof CircuitBreakerOpenException);
    }

    /**
     * The write's place in the order of accepted writes, and whether it must be deferred even though PostgreSQL may
     * take it: deferred writes it would overtake are still queued (see {@code DeferredWriteJournal}). Where deferral is off
     * nothing is ever queued, so nothing needs an order: never queued, place 0.
     */
    public Uni<DeferredWriteJournal.Admission> admit(TaskWrite write) {
        return config.deferWrites()
                ? dependencies.journal(() -> journal.admit(write))
                : Uni.createFrom().item(new DeferredWriteJournal.Admission(false, 0));
    }

    /** The state of a deferred write, or null when it is unknown or expired. */
    public Uni<DeferredWriteState> find(UUID operationId) {
        return dependencies.journal(() -> journal.find(operationId));
    }
}
