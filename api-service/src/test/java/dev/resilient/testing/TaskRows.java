package dev.resilient.testing;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * The tasks table as a test sees it, read with plain JDBC so assertions do not go through the code under test.
 * Each row is a map of column name to its text form.
 */
@ApplicationScoped
public class TaskRows {

    private final AgroalDataSource dataSource;

    public TaskRows(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<Map<String, String>> all() {
        return query("select id, name, status, created_at, updated_at, version from tasks order by created_at, id");
    }

    public Map<String, String> byId(UUID id) {
        var rows = query("select id, name, status, created_at, updated_at, version from tasks where id = '" + id + "'");
        return rows.isEmpty() ? null : rows.get(0);
    }

    public int count() {
        return Integer.parseInt(query("select count(*) as n from tasks").get(0).get("n"));
    }

    /** Deferred writes the worker has applied (recorded with their outcome). */
    public int appliedOperations() {
        return Integer.parseInt(
                query("select count(*) as n from applied_operations").get(0).get("n"));
    }

    public int distinctNames() {
        return Integer.parseInt(
                query("select count(distinct name) as n from tasks").get(0).get("n"));
    }

    /**
     * Inserts {@code count} tasks named {@code prefix-1} to {@code prefix-count}, one microsecond apart in that
     * order: faster than the API for tests that need many.
     */
    public void insert(int count, String prefix) {
        execute("insert into tasks (id, name, status, created_at, updated_at, version)"
                + " select gen_random_uuid(), '" + prefix + "-' || n, 'pending',"
                + " timestamp '2026-01-01' + n * interval '1 microsecond', timestamp '2026-01-01', 1"
                + " from generate_series(1, " + count + ") n");
    }

    public void deleteAll() {
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement()) {
            statement.execute("delete from applied_operations");
            statement.execute("delete from tasks");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql) {
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Map<String, String>> query(String sql) {
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var result = statement.executeQuery(sql)) {
            var rows = new ArrayList<Map<String, String>>();
            var columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                var row = new LinkedHashMap<String, String>();
                for (int i = 1; i <= columns; i++) {
                    row.put(result.getMetaData().getColumnName(i), result.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
