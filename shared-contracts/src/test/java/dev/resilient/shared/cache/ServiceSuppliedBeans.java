package dev.resilient.shared.cache;

import java.util.function.Supplier;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * What each service supplies to the shared beans (its metrics registry, its breaker around cache calls), supplied
 * here so this library's own Quarkus tests can start: a plain registry, and no breaker.
 */
class ServiceSuppliedBeans {

    @Produces
    @Singleton
    MeterRegistry registry() {
        return new SimpleMeterRegistry();
    }

    @Produces
    @Singleton
    CacheGuard unguarded() {
        return new CacheGuard() {
            @Override
            public <T> Uni<T> call(Supplier<Uni<T>> call) {
                return call.get();
            }
        };
    }
}
