package dev.resilient.worker.testing;

import java.sql.SQLException;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.testsupport.Jdbc;

import io.agroal.api.AgroalDataSource;

/** What is in the worker tests' PostgreSQL, read with plain JDBC ({@link Jdbc}). */
@ApplicationScoped
public class Rows {

    private final AgroalDataSource database;
    private final Jdbc jdbc;

    public Rows(AgroalDataSource database) {
        this.database = database;
        this.jdbc = new Jdbc(database);
    }

    public void deleteAll() {
        jdbc.deleteAllTasks();
    }

    public long tasks() {
        return jdbc.count("select count(*) from tasks");
    }

    public long appliedOperations() {
        return jdbc.count("select count(*) from applied_operations");
    }

    /** Records an applied operation (a 204) as applied at {@code at}, as the write path would have. */
    public void recordApplied(UUID operationId, java.time.Instant at) {
        try (var connection = database.getConnection();
                var insert = connection.prepareStatement(
                        "insert into applied_operations (operation_id, status, applied_at) values (?, 204, ?)")) {
            insert.setObject(1, operationId);
            insert.setObject(2, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isRecorded(UUID operationId) {
        return jdbc.count("select count(*) from applied_operations where operation_id = '" + operationId + "'") == 1;
    }

    /** The task's name and version, e.g. "renamed@2", or null when there is no such task. */
    public String nameAndVersion(UUID id) {
        try (var connection = database.getConnection();
                var query = connection.prepareStatement("select name, version from tasks where id = ?")) {
            query.setObject(1, id);
            try (var result = query.executeQuery()) {
                return result.next() ? result.getString(1) + "@" + result.getLong(2) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
