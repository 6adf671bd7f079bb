package dev.resilient.common.resilience;

import static dev.resilient.common.resilience.GuardedCalls.POSTGRES_READ;
import static dev.resilient.common.resilience.GuardedCalls.POSTGRES_WRITE;
import static dev.resilient.common.resilience.GuardedCalls.RABBITMQ_PUBLISH;
import static dev.resilient.common.resilience.GuardedCalls.REDIS_OPERATIONS;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.hibernate.reactive.panache.Panache;

import dev.resilient.shared.cache.CacheGuard;
import dev.resilient.shared.persistence.RunToCompletion;

import io.smallrye.mutiny.Uni;

/**
 * The API's calls to PostgreSQL, to the journal of deferred writes in Redis and to RabbitMQ, each through its breaker
 * ({@link GuardedCalls}), and the one place that decides what their failures mean: any failure of the call, its
 * timeout or its open breaker is that dependency being unavailable ({@link DependencyUnavailableException}, naming the
 * breaker whose delay is the {@code Retry-After}). Callers answer it with a degraded answer or a 503. The fallback
 * cache and idempotency have answers of their own ({@link #cacheGuard}, {@code IdempotencyStore}).
 */
@ApplicationScoped
public class Dependencies {

    private final GuardedCalls guarded;

    public Dependencies(GuardedCalls guarded) {
        this.guarded = guarded;
    }

    /**
     * A PostgreSQL read in a session of its own, opened inside the breaker (never an annotation on a method or above
     * it), so the breaker sees every failure, including failing to connect (docs/pitfalls.md); shielded from the
     * breaker's timeout ({@link RunToCompletion}: a cancelled session would leak its connection).
     */
    public <T> Uni<T> postgresRead(Supplier<Uni<T>> query) {
        return unavailable(
                POSTGRES_READ, guarded.postgresRead(() -> RunToCompletion.of(() -> Panache.withSession(query))));
    }

    /** A PostgreSQL write through the shared write path, which opens and shields its own transaction. */
    public <T> Uni<T> postgresWrite(Supplier<Uni<T>> write) {
        return unavailable(POSTGRES_WRITE, guarded.postgresWrite(write));
    }

    /** A call to the journal of deferred writes (see {@code DeferredWriteJournal}). */
    public <T> Uni<T> journal(Supplier<Uni<T>> call) {
        return unavailable(REDIS_OPERATIONS, guarded.redisOperations(call));
    }

    /**
     * Undoing a journal call that may have run although it failed: bypasses the breaker (see
     * {@link GuardedCalls#redisCompensation}).
     */
    public <T> Uni<T> journalCompensation(Supplier<Uni<T>> call) {
        return unavailable(REDIS_OPERATIONS, guarded.redisCompensation(call));
    }

    /** Publishing to RabbitMQ and waiting for the broker's confirm. */
    public <T> Uni<T> publish(Supplier<Uni<T>> call) {
        return unavailable(RABBITMQ_PUBLISH, guarded.rabbitPublish(call));
    }

    /** The fallback cache's calls go through the redis-cache breaker; the cache answers their failures itself. */
    @Produces
    @Singleton
    static CacheGuard cacheGuard(GuardedCalls guarded) {
        return guarded::redisCache;
    }

    private static <T> Uni<T> unavailable(String breaker, Uni<T> call) {
        return call.onFailure().transform(failure -> new DependencyUnavailableException(breaker, failure));
    }
}
