package dev.resilient.worker.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.resilient.worker.resilience.ConsumptionGate;

import io.smallrye.reactive.messaging.providers.extension.HealthCenter;

/**
 * The worker is ready when its consumers (and its publisher to the wait queues) are connected to RabbitMQ: the same
 * per-channel report as the messaging extension's own readiness check. That extension's checks are switched off
 * ({@code quarkus.messaging.health.enabled=false}) because its <em>liveness</em> check goes DOWN too while the broker
 * is unreachable, and an orchestrator would restart a worker that a restart cannot help (and, backing off, start it
 * late once the broker is back). Liveness is "the process answers", and {@link ConsumerWatchdog}: channels lost while
 * the broker answers are what a restart does help.
 *
 * <p>A paused consumer (PostgreSQL or Redis out, {@link ConsumptionGate}) is still ready: it is connected, and resumes
 * by itself; the details say so.
 */
@Readiness
@ApplicationScoped
public class ConsumerReadiness implements HealthCheck {

    private final HealthCenter messaging;
    private final ConsumptionGate gate;

    public ConsumerReadiness(HealthCenter messaging, ConsumptionGate gate) {
        this.messaging = messaging;
        this.gate = gate;
    }

    @Override
    public HealthCheckResponse call() {
        var report = messaging.getReadiness();
        var response = HealthCheckResponse.named("rabbitmq-consumer").status(report.isOk());
        for (var channel : report.getChannels()) {
            response.withData(channel.getChannel(), channel.isOk() ? "connected" : "down: " + channel.getMessage());
        }
        return response.withData("paused", gate.isPaused()).build();
    }
}
