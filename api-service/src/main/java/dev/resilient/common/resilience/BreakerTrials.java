package dev.resilient.common.resilience;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/**
 * Lets an open breaker close on time without waiting for traffic. SmallRye leaves a breaker OPEN until a call comes
 * after its delay, so the first writes after an outage met a stale open breaker (deferred or refused while the
 * dependency was already back) and the breaker metrics and alerts said "open" for as long as nobody called. Here,
 * once a breaker has been open for its delay, a cheap trial call goes through it (PostgreSQL: {@code SELECT 1}; Redis:
 * {@code PING}; RabbitMQ: a trial message on the publisher's own connection, {@link PublishProbe}), and another after
 * each success until it is closed (a breaker needs several); a failed trial opens it again and waits another delay.
 */
@ApplicationScoped
public class BreakerTrials {

    private final CircuitBreakerMaintenance breakers;
    private final Vertx vertx;
    private final Map<String, Supplier<Uni<?>>> trials;
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();

    public BreakerTrials(
            CircuitBreakerMaintenance breakers,
            Vertx vertx,
            GuardedCalls guarded,
            Pool postgres,
            ReactiveRedisDataSource redis,
            PublishProbe rabbitmq) {
        this.breakers = breakers;
        this.vertx = vertx;
        Supplier<Uni<RowSet<Row>>> select = () -> postgres.query("SELECT 1").execute();
        Supplier<Uni<Response>> ping = () -> redis.execute("PING");
        this.trials = Map.of(
                GuardedCalls.POSTGRES_READ, () -> guarded.postgresRead(select),
                GuardedCalls.POSTGRES_WRITE, () -> guarded.postgresWrite(select),
                GuardedCalls.REDIS_CACHE, () -> guarded.redisCache(ping),
                GuardedCalls.REDIS_IDEMPOTENCY, () -> guarded.redisIdempotency(ping),
                GuardedCalls.REDIS_OPERATIONS, () -> guarded.redisOperations(ping),
                GuardedCalls.RABBITMQ_PUBLISH, () -> guarded.rabbitPublish(rabbitmq::probe));
    }

    void watch(@Observes StartupEvent started) {
        for (var name : GuardedCalls.BREAKERS) {
            breakers.onStateChange(name, state -> {
                if (state == CircuitBreakerState.OPEN) {
                    schedule(name);
                }
            });
        }
    }

    private void schedule(String breaker) {
        if (scheduled.add(breaker)) {
            // Just past the delay, so the trial is not itself refused as too early.
            vertx.setTimer(GuardedCalls.retryAfterSeconds(breaker) * 1000 + 50, id -> {
                scheduled.remove(breaker);
                trial(breaker);
            });
        }
    }

    private void trial(String breaker) {
        if (breakers.currentState(breaker) == CircuitBreakerState.CLOSED) {
            return;
        }
        trials.get(breaker)
                .get()
                .subscribe()
                .with(
                        ok -> {
                            if (breakers.currentState(breaker) == CircuitBreakerState.HALF_OPEN) {
                                trial(breaker);
                            }
                        },
                        failure -> {
                            Log.debugf("Trial through breaker %s failed: %s", breaker, failure.toString());
                            if (breakers.currentState(breaker) != CircuitBreakerState.CLOSED) {
                                schedule(breaker);
                            }
                        });
    }
}
