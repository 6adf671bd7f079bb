package dev.resilient.common.resilience;

import static java.time.temporal.ChronoUnit.SECONDS;

import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;

/**
 * Every call to a dependency goes through exactly one of these methods: one circuit breaker per dependency and role
 * (docs/design.md section 6), so that a slow Redis never opens the PostgreSQL breaker, and reads and writes of PostgreSQL
 * trip separately. Callers pass the call as a supplier and never see the breaker, except as a fast failure; the
 * API's calls to PostgreSQL, the journal and RabbitMQ come through {@link Dependencies}, which says what a failure
 * means.
 *
 * <p>Order of the policies: the timeout sits inside the breaker, so a call that hangs (a black-holed host) counts as a
 * failure and, past the failure ratio, opens the breaker; while open, calls fail at once with
 * {@code CircuitBreakerOpenException} without touching the dependency, and after {@code delay} one trial call is let
 * through (half-open). No retries here: a retry inside a breaker multiplies the load on a dependency that is already
 * struggling, and clients retry with their Idempotency-Key.
 *
 * <p>The values below are the documented defaults; every one can be overridden in application.properties or by env
 * var (section "Fault tolerance"). Tune them from the breaker metrics: the timeouts from each dependency's p99.9 under
 * load, the volume threshold so that one unlucky second does not open a breaker.
 *
 * <p>A timeout here detects a dependency that hangs; it is not a latency budget. It runs from the call's subscription
 * to the moment its answer is processed, so it also counts the time the answer waits for a busy event loop. Redis's
 * own p99 is well under a millisecond, but the Redis timeouts were 200-250 ms at first, and on a saturated 2-core box
 * (a cold JVM compiling under load, or the chaos suite's 100 users) event-loop queueing alone exceeded them: the Redis
 * breakers opened on a healthy Redis and every write got a 503 (the chaos suite's baseline: 487 of them; the first 20
 * s of a cold start under load: nearly all). At one second, like PostgreSQL's, they trip on a hung Redis only; the
 * price is that the first calls to a black-holed Redis wait a second before its breaker opens.
 */
@ApplicationScoped
public class GuardedCalls {

    public static final String POSTGRES_READ = "postgres-read";
    public static final String POSTGRES_WRITE = "postgres-write";
    public static final String REDIS_CACHE = "redis-cache";
    public static final String REDIS_IDEMPOTENCY = "redis-idempotency";
    public static final String REDIS_OPERATIONS = "redis-operations";
    public static final String RABBITMQ_PUBLISH = "rabbitmq-publish";
    public static final List<String> BREAKERS =
            List.of(POSTGRES_READ, POSTGRES_WRITE, REDIS_CACHE, REDIS_IDEMPOTENCY, REDIS_OPERATIONS, RABBITMQ_PUBLISH);

    /*
     * The one policy, declared once: every breaker's values. Each method below names it, one annotation per strategy,
     * so SmallRye reads its overrides under GuardedCalls/<method> and labels its ft_* metrics by method, as operators,
     * dashboards and tests know them. A Guard bean behind @ApplyGuard would be read under its @Identifier instead.
     */

    /** Milliseconds a call may take: far above a healthy dependency's p99 (milliseconds), below a client's patience. */
    static final long TIMEOUT_MILLIS = 1000;
    /** Calls in the breaker's rolling window; it opens when half of them failed. */
    static final int WINDOW = 10;
    /** Seconds an open breaker waits before its trial calls, unless configured otherwise. */
    static final long DELAY = 5;
    /** Trial calls that must succeed to close it again. */
    static final int TRIALS = 2;

    /** A PostgreSQL read. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(POSTGRES_READ)
    public <T> Uni<T> postgresRead(Supplier<Uni<T>> call) {
        return call.get();
    }

    /** A PostgreSQL write: one transaction of a few statements. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(POSTGRES_WRITE)
    public <T> Uni<T> postgresWrite(Supplier<Uni<T>> call) {
        return call.get();
    }

    /** A fallback-cache call: one Redis round trip. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(REDIS_CACHE)
    public <T> Uni<T> redisCache(Supplier<Uni<T>> call) {
        return call.get();
    }

    /** An idempotency call: one Redis round trip on every write's path. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(REDIS_IDEMPOTENCY)
    public <T> Uni<T> redisIdempotency(Supplier<Uni<T>> call) {
        return call.get();
    }

    /** A journal call (a deferred write's pending state, or a poll of it): one Redis round trip. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(REDIS_OPERATIONS)
    public <T> Uni<T> redisOperations(Supplier<Uni<T>> call) {
        return call.get();
    }

    /**
     * Undoing a Redis call that timed out although it may have run: a deferred write recorded in the journal (nothing
     * would publish it, and it would hold up every later write to its task), or an idempotency claim (it would refuse
     * the client's resend with 409 until it expires). A compensation, so no breaker may skip it: the timeouts that
     * leave such a call unanswered are the same ones that open the Redis breakers. Bounded by the timeout only, and
     * counted by no breaker.
     */
    @Timeout(TIMEOUT_MILLIS)
    public <T> Uni<T> redisCompensation(Supplier<Uni<T>> call) {
        return call.get();
    }

    /**
     * Publishing a deferred write and waiting for the broker's confirm. While the broker is down the client neither
     * fails nor completes a send (it waits to reconnect, docs/pitfalls.md), so this timeout is what answers the client.
     */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = WINDOW, delay = DELAY, delayUnit = SECONDS, successThreshold = TRIALS)
    @CircuitBreakerName(RABBITMQ_PUBLISH)
    public <T> Uni<T> rabbitPublish(Supplier<Uni<T>> call) {
        return call.get();
    }

    /**
     * The {@code Retry-After} for an answer that a dependency could not give: the breaker's delay, after which it
     * tries the dependency again (an upper bound on the wait while it stays down).
     */
    public static long retryAfterSeconds(String breaker) {
        var method =
                switch (breaker) {
                    case POSTGRES_READ -> "postgresRead";
                    case POSTGRES_WRITE -> "postgresWrite";
                    case REDIS_CACHE -> "redisCache";
                    case REDIS_IDEMPOTENCY -> "redisIdempotency";
                    case REDIS_OPERATIONS -> "redisOperations";
                    case RABBITMQ_PUBLISH -> "rabbitPublish";
                    default -> throw new IllegalArgumentException("Unknown breaker " + breaker);
                };
        var key =
                "quarkus.fault-tolerance.\"" + GuardedCalls.class.getName() + "/" + method + "\".circuit-breaker.delay";
        return ConfigProvider.getConfig().getOptionalValue(key, Long.class).orElse(DELAY);
    }
}
