package dev.resilient.common.resilience;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.resilience.BreakerMetrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Makes each breaker's state visible: the metrics and log lines of {@link BreakerMetrics} (shared with the worker),
 * and the states in the readiness check's details.
 *
 * <p>Readiness stays UP whatever the breakers say: an open breaker means the service answers degraded (cached reads,
 * fast 503s), which is still better than taking the instance out of the load balancer, where every client would get
 * connection errors instead.
 */
@Readiness
@ApplicationScoped
public class BreakerTelemetry implements HealthCheck {

    private final CircuitBreakerMaintenance breakers;
    private final MeterRegistry registry;

    public BreakerTelemetry(CircuitBreakerMaintenance breakers, MeterRegistry registry) {
        this.breakers = breakers;
        this.registry = registry;
    }

    void register(@Observes StartupEvent started) {
        BreakerMetrics.register(registry, breakers, GuardedCalls.BREAKERS);
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("circuit-breakers").up();
        for (var name : GuardedCalls.BREAKERS) {
            response.withData(name, breakers.currentState(name).name().toLowerCase());
        }
        return response.build();
    }
}
