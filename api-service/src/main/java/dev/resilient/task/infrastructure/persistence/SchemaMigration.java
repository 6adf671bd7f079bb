package dev.resilient.task.infrastructure.persistence;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.flywaydb.core.Flyway;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Applies the schema migrations at start-up, without making PostgreSQL a start-up dependency: if PostgreSQL is
 * unreachable the service starts anyway (and serves what it can from the fallback cache), and the migration is
 * retried in the background until it succeeds. Until then the breakers treat the missing schema like any other
 * PostgreSQL failure. (Quarkus' own migrate-at-start would fail the start-up instead.)
 */
@ApplicationScoped
public class SchemaMigration {

    private static final Duration RETRY_EVERY = Duration.ofSeconds(5);

    private final Flyway flyway;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        var thread = new Thread(runnable, "schema-migration");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean done;

    public SchemaMigration(Flyway flyway) {
        this.flyway = flyway;
    }

    /** Runs on the main thread before the HTTP server takes requests, so a healthy start is migrated at once. */
    void migrateAtStart(@Observes StartupEvent started) {
        if (!tryMigrate()) {
            retries.scheduleWithFixedDelay(
                    this::retry, RETRY_EVERY.toMillis(), RETRY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        retries.shutdownNow();
    }

    /** Whether the schema is known to be up to date. */
    public boolean done() {
        return done;
    }

    private void retry() {
        if (done || tryMigrate()) {
            retries.shutdown();
        }
    }

    private boolean tryMigrate() {
        try {
            var result = flyway.migrate();
            Log.infof("Schema up to date (%d migrations applied now)", result.migrationsExecuted);
            done = true;
            return true;
        } catch (RuntimeException e) {
            Log.warnf(
                    "Cannot migrate the schema yet (%s); retrying every %d s", e.getMessage(), RETRY_EVERY.toSeconds());
            return false;
        }
    }
}
