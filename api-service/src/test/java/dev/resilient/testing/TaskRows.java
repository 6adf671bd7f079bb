package dev.resilient.testing;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.testsupport.Jdbc;

import io.agroal.api.AgroalDataSource;

/** The tasks table as a test sees it, read with plain JDBC ({@link Jdbc}): each row a map of column to text. */
@ApplicationScoped
public class TaskRows {

    private final Jdbc jdbc;

    public TaskRows(AgroalDataSource dataSource) {
        this.jdbc = new Jdbc(dataSource);
    }

    public List<Map<String, String>> all() {
        return jdbc.rows("select id, name, status, created_at, updated_at, version from tasks order by created_at, id");
    }

    public Map<String, String> byId(UUID id) {
        var rows = jdbc.rows(
                "select id, name, status, created_at, updated_at, version from tasks where id = '" + id + "'");
        return rows.isEmpty() ? null : rows.get(0);
    }

    public int count() {
        return (int) jdbc.count("select count(*) from tasks");
    }

    /** Deferred writes the worker has applied (recorded with their outcome). */
    public int appliedOperations() {
        return (int) jdbc.count("select count(*) from applied_operations");
    }

    public int distinctNames() {
        return (int) jdbc.count("select count(distinct name) from tasks");
    }

    /**
     * Inserts {@code count} tasks named {@code prefix-1} to {@code prefix-count}, one microsecond apart in that
     * order: faster than the API for tests that need many.
     */
    public void insert(int count, String prefix) {
        jdbc.execute("insert into tasks (id, name, status, created_at, updated_at, version)"
                + " select gen_random_uuid(), '" + prefix + "-' || n, 'pending',"
                + " timestamp '2026-01-01' + n * interval '1 microsecond', timestamp '2026-01-01', 1"
                + " from generate_series(1, " + count + ") n");
    }

    public void deleteAll() {
        jdbc.deleteAllTasks();
    }
}
