package dev.resilient.shared.resilience;

import java.util.Collection;

import io.quarkus.arc.Arc;
import io.quarkus.logging.Log;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * The circuit breakers' telemetry, the same in both services, so one dashboard and one alert rule cover them: a gauge
 * {@code tasks_breaker_state{dependency}} (0 closed, 1 half-open, 2 open), a counter
 * {@code tasks_breaker_transitions_total{dependency}}, and one WARN log line per transition.
 */
public final class BreakerMetrics {

    private BreakerMetrics() {}

    /** Call once at start-up with the names of the service's breakers ({@code @CircuitBreakerName}). */
    public static void register(MeterRegistry registry, CircuitBreakerMaintenance breakers, Collection<String> names) {
        for (var name : names) {
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
