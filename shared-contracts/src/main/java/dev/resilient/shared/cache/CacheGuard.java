package dev.resilient.shared.cache;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * The breaker and timeout around a fallback-cache call, which each service that uses the cache provides as a bean:
 * api-service its redis-cache breaker, write-worker its Redis breaker. The cache never knows which.
 */
public interface CacheGuard {

    <T> Uni<T> call(Supplier<Uni<T>> call);
}
