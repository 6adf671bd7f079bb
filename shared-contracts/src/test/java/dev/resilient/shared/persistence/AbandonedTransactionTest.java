package dev.resilient.shared.persistence;

import static dev.resilient.shared.persistence.Places.place;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;

import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite.CreateTask;
import dev.resilient.shared.contract.TaskWrite.DeleteTask;
import dev.resilient.shared.contract.TaskWrite.UpdateTask;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.testsupport.LocalPostgresDatabase;

import io.agroal.api.AgroalDataSource;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * A caller that stops waiting for a write (a breaker's timeout, a client hanging up) cancels it. The write must still
 * end, committed or rolled back, and give its connection back: left open, it holds its row locks forever and can make
 * the pool's next transaction on that connection roll back silently (hibernate-reactive#2926).
 */
@QuarkusTest
@WithTestResource(
        value = LocalPostgresDatabase.class,
        initArgs = @ResourceArg(name = "database", value = "tasks_test_contracts"),
        scope = TestResourceScope.GLOBAL)
class AbandonedTransactionTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05.000001Z");

    @Inject
    TaskWriter writer;

    @Inject
    Vertx vertx;

    @Inject
    AgroalDataSource jdbc;

    @Test
    void aBatchWhoseCallerTimedOutStillCommitsAndFreesItsRowsAndConnection() throws Exception {
        var locked = UUID.randomUUID();
        var created = UUID.randomUUID();
        var createOperation = UUID.randomUUID();
        var renameOperation = UUID.randomUUID();
        insertTask(locked);

        try (var other = jdbc.getConnection()) {
            // Another transaction holds the row, so the batch's update waits for it; the caller gives up at 300 ms,
            // cancelling the batch as a breaker's @Timeout does.
            other.setAutoCommit(false);
            try (var lock = other.prepareStatement("select 1 from tasks where id = ? for update")) {
                lock.setObject(1, locked);
                lock.executeQuery().close();
            }
            var abandoned = onOwnContext(() -> writer.applyAllOnce(List.of(
                            new TaskWriter.Deferred(
                                    createOperation, new CreateTask(created, "new", TaskStatus.PENDING, NOW), place()),
                            new TaskWriter.Deferred(
                                    renameOperation, new UpdateTask(locked, "renamed", null, null, NOW), place())))
                    .ifNoItem()
                    .after(Duration.ofMillis(300))
                    .fail());
            assertThatThrownBy(() -> abandoned.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            other.commit();
        }

        // The batch went on without its caller and committed both writes, each recorded once.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(count("select count(*) from applied_operations where operation_id in ('"
                                + createOperation + "', '" + renameOperation + "')"))
                        .isEqualTo(2));
        assertThat(count("select count(*) from tasks where id = '" + created + "'"))
                .isOne();
        assertThat(count("select count(*) from tasks where id = '" + locked + "' and name = 'renamed' and version = 2"))
                .isOne();
        // No connection is left inside a transaction, and the row is free for the next write.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(count("select count(*) from pg_stat_activity"
                                + " where datname = current_database() and state like 'idle in transaction%'"))
                        .isZero());
        var next = onOwnContext(() ->
                        writer.apply(UUID.randomUUID(), new UpdateTask(locked, "again", null, null, NOW), place()))
                .get(10, TimeUnit.SECONDS);
        assertThat(next).isInstanceOf(WriteOutcome.Updated.class);
        assertThat(((WriteOutcome.Updated) next).snapshot().version()).isEqualTo(3);
    }

    /**
     * Deletes running at the same time in different sessions all commit. With {@code session.remove}, Hibernate
     * Reactive lost the continuation of some of them (hibernate-reactive#1713): their transactions stayed open after
     * the DELETE, rows locked, connections held, and the callers timed out. The load test found it at four concurrent
     * deletes; here twenty-four at once.
     */
    @Test
    void concurrentDeletesAllCommitAndFreeTheirConnections() throws Exception {
        var ids = new ArrayList<UUID>();
        for (int i = 0; i < 24; i++) {
            var id = UUID.randomUUID();
            insertTask(id);
            ids.add(id);
        }

        var deletes = ids.stream()
                .map(id -> onOwnContext(() -> writer.apply(UUID.randomUUID(), new DeleteTask(id, null, NOW), place())))
                .toList();

        for (var delete : deletes) {
            assertThat(delete.get(10, TimeUnit.SECONDS)).isInstanceOf(WriteOutcome.Deleted.class);
        }
        var idList = ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(","));
        assertThat(count("select count(*) from tasks where id in (" + idList + ")"))
                .isZero();
        assertThat(count("select count(*) from pg_stat_activity"
                        + " where datname = current_database() and state like 'idle in transaction%'"))
                .isZero();
    }

    /** Hibernate Reactive keeps its session in the Vert.x context: each call gets a context of its own. */
    private <T> CompletableFuture<T> onOwnContext(Supplier<Uni<T>> work) {
        var result = new CompletableFuture<T>();
        var context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.get().subscribe().with(result::complete, result::completeExceptionally));
        return result;
    }

    private void insertTask(UUID id) throws SQLException {
        try (var connection = jdbc.getConnection();
                var insert = connection.prepareStatement("insert into tasks (id, name, status, created_at, updated_at,"
                        + " version) values (?, 'locked', 'pending', now(), now(), 1)")) {
            insert.setObject(1, id);
            insert.executeUpdate();
        }
    }

    private long count(String sql) throws SQLException {
        try (var connection = jdbc.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
