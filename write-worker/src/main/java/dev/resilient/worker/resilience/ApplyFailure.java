package dev.resilient.worker.resilience;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.hibernate.PropertyValueException;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;

/**
 * What a failure to handle a deferred write (applying it, or asking the journal about it) says about the write, which
 * decides what becomes of its message (see {@code DeferredWriteProcessor}). A pure function of the failure, so every
 * branch is unit-tested.
 */
public enum ApplyFailure {

    /** PostgreSQL answered and refused this write (a constraint, a serialisation failure): retried with backoff. */
    REJECTED,

    /**
     * PostgreSQL or Redis, or the way to them, is not there now (refused, dropped, timed out, shutting down, not
     * migrated yet, an open breaker): not the write's fault, so it waits and uses up no retry.
     */
    UNAVAILABLE,

    /** Anything else: a failure the worker did not foresee. Tried a few more times, then failed and dead-lettered. */
    UNEXPECTED;

    /**
     * SQLSTATE classes that are about the write itself: data exception, integrity constraint violation, transaction
     * rollback (serialisation failure, deadlock). Any other SQLSTATE (connection, authentication, missing database or
     * table before the API has migrated the schema, shutdown) means PostgreSQL cannot take writes now.
     */
    private static final Set<String> WRITE_CLASSES = Set.of("22", "23", "40");

    public static ApplyFailure of(Throwable failure) {
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof WriteRejectedException) {
                return REJECTED;
            }
            if (cause instanceof UnexpectedFailureException) {
                return UNEXPECTED;
            }
            // Hibernate Reactive reports a failed statement as an SQLException carrying the SQLSTATE (not always with
            // the client's PgException as its cause); a bare PgException comes from plain pool queries.
            var sqlState = cause instanceof SQLException sql
                    ? sql.getSQLState()
                    : cause instanceof PgException pg ? pg.getSqlState() : null;
            if (sqlState != null && sqlState.length() >= 2) {
                return WRITE_CLASSES.contains(sqlState.substring(0, 2)) ? REJECTED : UNAVAILABLE;
            }
            if (cause instanceof PropertyValueException) {
                return REJECTED; // Hibernate's own NOT NULL check, before the statement is even sent
            }
            if (isTransport(cause)) {
                return UNAVAILABLE;
            }
        }
        return UNEXPECTED;
    }

    /**
     * Connections, timeouts and breakers: sockets fail with IOExceptions, Vert.x reports a closed connection or a pool
     * timeout as a VertxException (or its stackless throwables), Netty in its own types. An error reply of a server
     * (a Redis script error, say) is none of these: it is unexpected.
     */
    private static boolean isTransport(Throwable cause) {
        var type = cause.getClass().getName();
        return cause instanceof IOException
                || cause instanceof TimeoutException
                || cause instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException
                || cause instanceof CircuitBreakerOpenException
                || cause instanceof VertxException
                || type.startsWith("io.vertx.core.impl.NoStackTrace")
                || type.startsWith("io.netty.");
    }
}
