package dev.resilient.shared.redis;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Notices, without waiting for a request to fail, that Redis lost its data. A key ({@link
 * RedisWatchConfig#incarnationKey()}) names the data Redis holds: the first service to find it missing sets it to a
 * new random name; a service that finds another name than the one it saw before knows that everything it wrote is
 * gone, and fires {@link RedisDataLost} (counted as {@code tasks_redis_data_lost_total}, logged once).
 *
 * <p>What depends on it: the fallback cache forgets which copies it believes stored, so the next read of each task
 * stores it again. The journal and idempotency need no warning: a write Redis forgot is kept in order by PostgreSQL
 * (see {@code DeferredWriteJournal}), and a resend answers what its first attempt committed (see {@code TaskWriter}).
 */
@ApplicationScoped
public class RedisIncarnation {

    private final ReactiveRedisDataSource redis;
    private final RedisWatchConfig config;
    private final Vertx vertx;
    private final Event<RedisDataLost> lost;
    private final Counter lostCount;
    private volatile String known;
    private long timer = -1;

    public RedisIncarnation(
            ReactiveRedisDataSource redis,
            RedisWatchConfig config,
            Vertx vertx,
            Event<RedisDataLost> lost,
            MeterRegistry registry) {
        this.redis = redis;
        this.config = config;
        this.vertx = vertx;
        this.lost = lost;
        this.lostCount = Counter.builder("tasks.redis.data.lost")
                .description("Times Redis was found to have lost its data (restarted without persistence, flushed)")
                .register(registry);
    }

    void watch(@Observes StartupEvent start) {
        timer = vertx.setPeriodic(config.watchInterval().toMillis(), id -> look());
        look();
        warnUnlessDeployedAsRequired();
    }

    /**
     * Says so at start-up when Redis runs as the guarantees do not assume (README, "What an operator provides"):
     * without persistence a restart forgets idempotency records and the journal; with an eviction policy a full Redis
     * drops them silently instead of refusing writes. A managed Redis may refuse CONFIG: then nothing is said.
     */
    private void warnUnlessDeployedAsRequired() {
        setting("appendonly")
                .subscribe()
                .with(
                        value -> {
                            if (!"yes".equals(value)) {
                                Log.warn("Redis runs without persistence (appendonly " + value
                                        + "): a restart forgets idempotency"
                                        + " records and deferred writes' states. Writes stay in order (PostgreSQL keeps it), but run"
                                        + " Redis with appendonly yes in production.");
                            }
                        },
                        failure -> Log.debugf("Cannot read Redis's configuration: %s", failure));
        setting("maxmemory-policy")
                .subscribe()
                .with(
                        value -> {
                            if (!"noeviction".equals(value)) {
                                Log.warn(
                                        "Redis's maxmemory-policy is " + value
                                                + ": once full it may evict idempotency records and"
                                                + " the journal silently. Use noeviction: a full Redis then refuses writes (503).");
                            }
                        },
                        failure -> Log.debugf("Cannot read Redis's configuration: %s", failure));
    }

    private Uni<String> setting(String name) {
        return redis.execute("CONFIG", "GET", name)
                .map(reply -> reply != null && reply.size() == 2 ? reply.get(1).toString() : "unknown")
                .ifNoItem()
                .after(Duration.ofSeconds(1))
                .fail();
    }

    void stop(@Observes ShutdownEvent stop) {
        vertx.cancelTimer(timer);
    }

    /** Reads the key (setting it if it is missing); a failure is nothing to report: the next look tries again. */
    private void look() {
        current().subscribe().with(this::seen, failure -> Log.debugf("Redis incarnation unknown: %s", failure));
    }

    private Uni<String> current() {
        var candidate = UUID.randomUUID().toString();
        return redis.execute("SET", config.incarnationKey(), candidate, "NX", "GET")
                .map(previous -> previous == null ? candidate : previous.toString())
                .ifNoItem()
                .after(Duration.ofSeconds(1))
                .fail();
    }

    private synchronized void seen(String incarnation) {
        var before = known;
        known = incarnation;
        if (before != null && !before.equals(incarnation)) {
            lostCount.increment();
            Log.warn("Redis lost its data (it restarted without persistence, or was flushed): the fallback cache is"
                    + " stored again as tasks are read; deferred writes stay in order through PostgreSQL."
                    + " Run Redis with persistence (appendonly yes).");
            lost.fire(new RedisDataLost(incarnation));
        }
    }
}
