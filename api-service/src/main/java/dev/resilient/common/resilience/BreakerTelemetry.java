package dev.resilient.common.resilience;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.arc.Arc;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Makes each breaker's state visible: a gauge {@code tasks_breaker_state{dependency}} (0 closed, 1 half-open,
 * 2 open), a counter of transitions, one log line per transition, and the states in the readiness check's details.
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
        for (var name : GuardedCalls.BREAKERS) {
            Gauge.builder("tasks.breaker.state", () -> level(liveBreakers().currentState(name)))
                    .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
                    .tag("dependency", name)
                    .register(registry);
            var transitions = Counter.builder("tasks.breaker.transitions")
                    .description("Circuit breaker state changes")
                    .tag("dependency", name)
                    .register(registry);
            breakers.onStateChange(name, state -> {
                transitions.increment();
                Log.warnf("Circuit breaker %s is now %s", name, state);
            });
        }
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("circuit-breakers").up();
        for (var name : GuardedCalls.BREAKERS) {
            response.withData(name, breakers.currentState(name).name().toLowerCase());
        }
        return response.build();
    }

    /**
     * The breakers of the running application, looked up on each scrape: a gauge outlives a restarted application
     * in the same JVM (as in tests), and must not keep reading the breakers of the old one.
     */
    private static CircuitBreakerMaintenance liveBreakers() {
        return Arc.container().instance(CircuitBreakerMaintenance.class).get();
    }

    private static int level(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }
}
