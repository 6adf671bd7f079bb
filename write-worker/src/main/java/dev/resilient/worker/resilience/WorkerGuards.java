package dev.resilient.worker.resilience;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.hibernate.PropertyValueException;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

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

    /**
     * SQLSTATE classes that are about the write itself: data exception, integrity constraint violation, transaction
     * rollback (serialisation failure, deadlock). Any other error (connection, authentication, missing database or
     * table before the API has migrated the schema, shutdown) means PostgreSQL cannot take writes now: it counts
     * against the breaker, so the worker pauses instead of dead-lettering every write.
     */
    private static final Set<String> WRITE_CLASSES = Set.of("22", "23", "40");

    /** Applying one write: a transaction of a few statements. A write PostgreSQL refuses does not trip the breaker. */
    @Timeout(value = 2000, unit = ChronoUnit.MILLIS)
    @CircuitBreaker(
            requestVolumeThreshold = 10,
            failureRatio = 0.5,
            delay = 5,
            delayUnit = ChronoUnit.SECONDS,
            successThreshold = 1,
            skipOn = WriteRejectedException.class)
    @CircuitBreakerName(POSTGRES)
    public <T> Uni<T> postgres(Supplier<Uni<T>> call) {
        return call.get().onFailure(WorkerGuards::isRejection).transform(WriteRejectedException::new);
    }

    /**
     * One call to the operation journal (a Lua script or a SET). No user waits on the worker, so the bound is loose:
     * when a paused backlog resumes, hundreds of writes ask for their turn at once, and a tighter bound (500 ms) let
     * that burst alone trip the breaker and requeue the writes in hand.
     */
    @Timeout(value = 2000, unit = ChronoUnit.MILLIS)
    @CircuitBreaker(
            requestVolumeThreshold = 10,
            failureRatio = 0.5,
            delay = 5,
            delayUnit = ChronoUnit.SECONDS,
            successThreshold = 1)
    @CircuitBreakerName(REDIS)
    public <T> Uni<T> redis(Supplier<Uni<T>> call) {
        return call.get();
    }

    private static boolean isRejection(Throwable failure) {
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            // Hibernate Reactive reports a failed statement as an SQLException carrying the SQLSTATE (not always
            // with the client's PgException as its cause); a bare PgException comes from plain pool queries.
            var sqlState = cause instanceof SQLException sql
                    ? sql.getSQLState()
                    : cause instanceof PgException pg ? pg.getSqlState() : null;
            if (sqlState != null && sqlState.length() >= 2) {
                return WRITE_CLASSES.contains(sqlState.substring(0, 2));
            }
            if (cause instanceof PropertyValueException) {
                return true; // Hibernate's own NOT NULL check, before the statement is even sent
            }
        }
        return false;
    }
}
