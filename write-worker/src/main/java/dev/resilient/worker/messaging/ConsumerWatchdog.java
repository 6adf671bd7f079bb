package dev.resilient.worker.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.messaging.MessagingTopology;
import dev.resilient.worker.config.WorkerConfig;

import io.smallrye.reactive.messaging.providers.extension.HealthCenter;
import io.vertx.mutiny.core.Vertx;

/**
 * Ends the worker when its RabbitMQ channels stay disconnected ({@link ConsumerReadiness} DOWN) for
 * {@code tasks.worker.consumer-stall-limit} while the broker answers fresh connections throughout. The messaging
 * client does not always recover by itself: after a cluster node died, it re-subscribed during the queue's leader
 * election and lost track of its channel, with a prefetch of writes unacknowledged on it that no other worker could
 * take. Exiting closes the connection, so the broker hands those writes to another worker, and the orchestrator
 * starts this one afresh (a non-zero exit status). A broker that does not answer is an outage, not a stall: a restart
 * would not help, so the worker waits, and the clock starts again once the broker answers.
 *
 * <p>It is also a liveness check, so that an operator sees how long the channels have been down and whether the
 * broker answers.
 */
@Liveness
@ApplicationScoped
public class ConsumerWatchdog implements HealthCheck {

    /** The exit status of a worker the watchdog ended. */
    public static final int EXIT_CODE = 3;

    private final HealthCenter messaging;
    private final MessagingTopology broker;
    private final Vertx vertx;
    private final long limitNanos;
    private long timer = -1;
    private long disconnectedSince = -1;
    private long answeringSince = -1;
    private boolean probing;
    private boolean stalled;

    public ConsumerWatchdog(HealthCenter messaging, MessagingTopology broker, Vertx vertx, WorkerConfig config) {
        this.messaging = messaging;
        this.broker = broker;
        this.vertx = vertx;
        this.limitNanos = config.consumerStallLimit().toNanos();
    }

    void watch(@Observes StartupEvent event) {
        if (limitNanos > 0) {
            var interval = Math.max(100, Math.min(5_000, limitNanos / 6_000_000));
            timer = vertx.setPeriodic(interval, id -> check());
        }
    }

    void stopWatching(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private synchronized void check() {
        if (stalled) {
            return;
        }
        if (messaging.getReadiness().isOk()) {
            disconnectedSince = -1;
            answeringSince = -1;
            return;
        }
        if (disconnectedSince < 0) {
            disconnectedSince = System.nanoTime();
        }
        if (!probing) {
            probing = true;
            broker.reachable().subscribe().with(ignored -> answered(true), failure -> answered(false));
        }
    }

    private synchronized void answered(boolean answering) {
        probing = false;
        if (disconnectedSince < 0 || stalled) {
            return;
        }
        if (!answering) {
            answeringSince = -1;
            return;
        }
        var now = System.nanoTime();
        if (answeringSince < 0) {
            answeringSince = now;
        }
        if (now - answeringSince >= limitNanos) {
            stalled = true;
            Log.errorf(
                    "RabbitMQ channels disconnected for %d s while the broker answered for %d s: exiting (status %d) so"
                            + " that the writes held on the lost channel go to another worker and this one starts afresh",
                    seconds(now - disconnectedSince), seconds(now - answeringSince), EXIT_CODE);
            Quarkus.asyncExit(EXIT_CODE);
        }
    }

    @Override
    public synchronized HealthCheckResponse call() {
        var response = HealthCheckResponse.named("rabbitmq-consumer-watchdog").status(!stalled);
        if (disconnectedSince < 0) {
            return response.withData("channels", "connected").build();
        }
        var now = System.nanoTime();
        return response.withData("disconnected-seconds", seconds(now - disconnectedSince))
                .withData("broker-answering-seconds", answeringSince < 0 ? 0 : seconds(now - answeringSince))
                .withData("limit-seconds", seconds(limitNanos))
                .build();
    }

    private static long seconds(long nanos) {
        return nanos / 1_000_000_000L;
    }
}
