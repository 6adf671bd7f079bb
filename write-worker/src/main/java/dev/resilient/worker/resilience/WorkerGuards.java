package dev.resilient.worker.resilience;

import static java.time.temporal.ChronoUnit.SECONDS;

import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import dev.resilient.shared.cache.CacheGuard;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;

/**
 * The worker's circuit breakers, one per dependency, all here. While either is open the worker stops taking messages
 * ({@link ConsumptionGate}), so an outage does not use up the writes' retries. Override any value by configuration,
 * e.g. {@code quarkus.fault-tolerance."dev.resilient.worker.resilience.WorkerGuards/postgres".circuit-breaker.delay=10}.
 */
@ApplicationScoped
public class WorkerGuards {

    public static final String POSTGRES = "worker-postgres";
    public static final String REDIS = "worker-redis";
    public static final List<String> BREAKERS = List.of(POSTGRES, REDIS);

    /*
     * The policy of both breakers, declared once. Each method names it with its own annotations, so that SmallRye keys
     * their configuration by method (WorkerGuards/postgres, WorkerGuards/redis) and reports ft_* metrics by method; a
     * class-level annotation would be configured by class only.
     */

    /** Milliseconds a call may take: a batch transaction, or one journal call while a resumed backlog bursts. */
    static final long TIMEOUT_MILLIS = 2000;
    /** Calls in the breaker's rolling window; it opens when half of them failed. */
    static final int WINDOW = 10;
    /** Seconds an open breaker waits before its trial call. */
    static final long DELAY = 5;
    /** Trial calls that must succeed to close it again. */
    static final int TRIALS = 1;

    /**
     * Applying writes: one transaction of a few statements per write. Only a PostgreSQL that is not there trips the
     * breaker ({@link ApplyFailure#UNAVAILABLE}); a write it refuses, or a failure of the worker's own, does not.
     */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(
            requestVolumeThreshold = WINDOW,
            delay = DELAY,
            delayUnit = SECONDS,
            successThreshold = TRIALS,
            skipOn = {WriteRejectedException.class, UnexpectedFailureException.class})
    @CircuitBreakerName(POSTGRES)
    public <T> Uni<T> postgres(Supplier<Uni<T>> call) {
        return call.get().onFailure().transform(failure -> switch (ApplyFailure.of(failure)) {
            case REJECTED -> failure instanceof WriteRejectedException ? failure : new WriteRejectedException(failure);
            case UNEXPECTED -> new UnexpectedFailureException(failure);
            case UNAVAILABLE -> failure;
        });
    }

    /**
     * One call to the deferred-write journal (a Lua script or a SET). No user waits on the worker, so the bound is loose:
     * when a paused backlog resumes, hundreds of writes ask for their turn at once, and a tighter bound (500 ms) let
     * that burst alone trip the breaker and requeue the writes in hand.
     */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(REDIS)
    public <T> Uni<T> redis(Supplier<Uni<T>> call) {
        return call.get();
    }

    /** The fallback cache's refreshes after an applied write go through the Redis breaker. */
    @Produces
    @Singleton
    static CacheGuard cacheGuard(WorkerGuards guards) {
        return guards::redis;
    }
}
