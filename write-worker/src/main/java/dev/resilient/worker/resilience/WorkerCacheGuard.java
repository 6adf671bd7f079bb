package dev.resilient.worker.resilience;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.shared.cache.CacheGuard;

import io.smallrye.mutiny.Uni;

/** The fallback cache's calls (refreshes after an applied write) go through the worker's Redis breaker. */
@ApplicationScoped
class WorkerCacheGuard implements CacheGuard {

    private final WorkerGuards guards;

    WorkerCacheGuard(WorkerGuards guards) {
        this.guards = guards;
    }

    @Override
    public <T> Uni<T> call(Supplier<Uni<T>> call) {
        return guards.redis(call);
    }
}
