package dev.resilient.worker.apply;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.deferred.DeferredWriteJournalConfig;
import dev.resilient.worker.config.WorkerConfig;
import dev.resilient.worker.resilience.WorkerGuards;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps {@code applied_operations} from growing forever. A record is what makes a redelivered write change nothing,
 * so it may only go once no delivery can need it: a delivery older than the journal's horizon is never applied (it
 * ends {@code expired}), so records older than the retention, which is longer than the horizon, are deleted in small
 * batches. The table's size is counted at the same time: {@code tasks_applied_operations} (rows), and
 * {@code tasks_applied_operations_purged_total}. Any number of workers may run it; while PostgreSQL is out (the
 * worker's breaker is not closed) it waits for the next round.
 */
@ApplicationScoped
public class AppliedOperationsHousekeeping {

    private static final int BATCH = 10_000;
    private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    private final Pool postgres;
    private final Vertx vertx;
    private final WorkerConfig config;
    private final DeferredWriteJournalConfig journal;
    private final CircuitBreakerMaintenance breakers;
    private final AtomicReference<Double> rows = new AtomicReference<>(Double.NaN);
    private final Counter purged;
    private final AtomicLong timer = new AtomicLong(-1);

    public AppliedOperationsHousekeeping(
            Pool postgres,
            Vertx vertx,
            WorkerConfig config,
            DeferredWriteJournalConfig journal,
            CircuitBreakerMaintenance breakers,
            MeterRegistry registry) {
        this.postgres = postgres;
        this.vertx = vertx;
        this.config = config;
        this.journal = journal;
        this.breakers = breakers;
        Gauge.builder("tasks.applied.operations", rows, AtomicReference::get)
                .description("Records of applied writes kept for exactly-once delivery, as last counted")
                .baseUnit("rows")
                .register(registry);
        this.purged = Counter.builder("tasks.applied.operations.purged")
                .description("Records of applied writes deleted past their retention")
                .register(registry);
    }

    /** Refuses to start with a retention that would delete records a delivery may still need. */
    void start(@Observes StartupEvent start) {
        if (config.appliedOperationsRetention().compareTo(journal.horizon()) <= 0) {
            throw new IllegalStateException("tasks.worker.applied-operations-retention ("
                    + config.appliedOperationsRetention() + ") must be longer than tasks.journal.horizon ("
                    + journal.horizon() + "): a write redelivered within the horizon would be applied twice");
        }
        timer.set(vertx.setPeriodic(config.housekeepingInterval().toMillis(), id -> run()));
    }

    void stop(@Observes ShutdownEvent stop) {
        vertx.cancelTimer(timer.get());
    }

    private void run() {
        if (breakers.currentState(WorkerGuards.POSTGRES) != CircuitBreakerState.CLOSED) {
            return;
        }
        var cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(config.appliedOperationsRetention());
        purgeOlderThan(cutoff)
                .chain(this::count)
                .ifNoItem()
                .after(STATEMENT_TIMEOUT)
                .fail()
                .subscribe()
                .with(
                        count -> rows.set(count.doubleValue()),
                        failure -> Log.warnf("Housekeeping of applied_operations failed: %s", failure.toString()));
    }

    /** Deletes in batches, so no statement holds many locks or runs long; answers when none is left. */
    private Uni<Void> purgeOlderThan(OffsetDateTime cutoff) {
        return postgres.preparedQuery("DELETE FROM applied_operations WHERE operation_id IN (SELECT operation_id FROM"
                        + " applied_operations WHERE applied_at < $1 LIMIT " + BATCH + ")")
                .execute(Tuple.of(cutoff))
                .chain(result -> {
                    purged.increment(result.rowCount());
                    return result.rowCount() < BATCH ? Uni.createFrom().voidItem() : purgeOlderThan(cutoff);
                });
    }

    private Uni<Long> count() {
        return postgres.query("SELECT count(*) FROM applied_operations")
                .execute()
                .map(result -> result.iterator().next().getLong(0));
    }
}
