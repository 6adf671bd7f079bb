package dev.resilient.common.resilience;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.shared.cache.CacheGuard;

import io.smallrye.mutiny.Uni;

/** The fallback cache's calls go through the redis-cache breaker. */
@ApplicationScoped
class CacheBreaker implements CacheGuard {

    private final GuardedCalls guarded;

    CacheBreaker(GuardedCalls guarded) {
        this.guarded = guarded;
    }

    @Override
    public <T> Uni<T> call(Supplier<Uni<T>> call) {
        return guarded.redisCache(call);
    }
}
