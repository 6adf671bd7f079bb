package dev.resilient.worker.testing;

import java.sql.SQLException;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/** What is in the worker tests' PostgreSQL, read with plain JDBC. */
@ApplicationScoped
public class Rows {

    private final AgroalDataSource database;

    public Rows(AgroalDataSource database) {
        this.database = database;
    }

    public void deleteAll() {
        update("delete from applied_operations");
        update("delete from tasks");
    }

    public long tasks() {
        return count("select count(*) from tasks");
    }

    public long appliedOperations() {
        return count("select count(*) from applied_operations");
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
        return count("select count(*) from applied_operations where operation_id = '" + operationId + "'") == 1;
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

    private long count(String sql) {
        try (var connection = database.getConnection();
                var query = connection.createStatement();
                var result = query.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql) {
        try (var connection = database.getConnection();
                var statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
