package dev.resilient.worker.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.hibernate.HibernateException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;

/** What each kind of failure to apply a write says about the write (no Quarkus, no services: a pure function). */
@Tag("unit")
class ApplyFailureTest {

    @Test
    void aWritePostgresRefusesIsRejected() {
        assertThat(ApplyFailure.of(pg("23505"))).as("unique violation").isEqualTo(ApplyFailure.REJECTED);
        assertThat(ApplyFailure.of(pg("23514"))).as("check violation").isEqualTo(ApplyFailure.REJECTED);
        assertThat(ApplyFailure.of(pg("22001"))).as("value too long").isEqualTo(ApplyFailure.REJECTED);
        assertThat(ApplyFailure.of(new SQLException("serialisation", "40001")))
                .as("serialisation failure, as Hibernate reports it")
                .isEqualTo(ApplyFailure.REJECTED);
        assertThat(ApplyFailure.of(new CompletionException(new HibernateException(pg("40P01")))))
                .as("deadlock, wrapped")
                .isEqualTo(ApplyFailure.REJECTED);
        assertThat(ApplyFailure.of(new WriteRejectedException(pg("23502")))).isEqualTo(ApplyFailure.REJECTED);
    }

    @Test
    void aPostgresThatIsNotThereIsUnavailable() {
        assertThat(ApplyFailure.of(pg("57P01"))).as("shutting down").isEqualTo(ApplyFailure.UNAVAILABLE);
        assertThat(ApplyFailure.of(pg("08006"))).as("connection failure").isEqualTo(ApplyFailure.UNAVAILABLE);
        assertThat(ApplyFailure.of(pg("42P01"))).as("schema not migrated yet").isEqualTo(ApplyFailure.UNAVAILABLE);
        assertThat(ApplyFailure.of(new CompletionException(new ConnectException("Connection refused"))))
                .isEqualTo(ApplyFailure.UNAVAILABLE);
        assertThat(ApplyFailure.of(new HibernateException(new VertxException("Connection was closed", true))))
                .isEqualTo(ApplyFailure.UNAVAILABLE);
        assertThat(ApplyFailure.of(new TimeoutException("2 s"))).isEqualTo(ApplyFailure.UNAVAILABLE);
        assertThat(ApplyFailure.of(new CircuitBreakerOpenException("open"))).isEqualTo(ApplyFailure.UNAVAILABLE);
    }

    @Test
    void anythingElseIsUnexpected() {
        assertThat(ApplyFailure.of(new IllegalArgumentException("id to load is required")))
                .isEqualTo(ApplyFailure.UNEXPECTED);
        assertThat(ApplyFailure.of(new CompletionException(new NullPointerException())))
                .isEqualTo(ApplyFailure.UNEXPECTED);
        assertThat(ApplyFailure.of(io.vertx.redis.client.impl.types.ErrorType.create("ERR user_script:3: cjson")))
                .as("an error answered by Redis")
                .isEqualTo(ApplyFailure.UNEXPECTED);
        assertThat(ApplyFailure.of(new UnexpectedFailureException(new ConnectException("refused"))))
                .as("as the breaker classified it")
                .isEqualTo(ApplyFailure.UNEXPECTED);
    }

    private static PgException pg(String sqlState) {
        return new PgException("message", "ERROR", sqlState, null);
    }
}
