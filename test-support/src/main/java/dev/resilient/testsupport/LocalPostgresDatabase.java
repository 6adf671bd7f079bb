package dev.resilient.testsupport;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a test suite its own database on the real local PostgreSQL (no Dev Services: there is no Docker here), so a
 * test run never touches the tables of a running instance or of another module's tests.
 *
 * <p>Init arg {@code database} names it. It is created if missing, owned by {@code DB_USER} (which {@code make deps}
 * creates with CREATEDB). The module's {@code %test} profile points its datasource at that database, so that a test
 * resource of its own (a fault proxy, say) can still override the URL. The schema itself comes from the Flyway
 * migrations; tests clean up their rows, the database is kept for the next run.
 */
public class LocalPostgresDatabase implements QuarkusTestResourceLifecycleManager {

    private static final String DUPLICATE_DATABASE = "42P04";

    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", "tasks_test");
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Not a plain database name: " + database);
        }
    }

    @Override
    public Map<String, String> start() {
        var host = Env.get("DB_HOST", "127.0.0.1");
        var port = Env.get("DB_PORT", "5432");
        var user = Env.get("DB_USER", "tasks");
        var password = Env.get("DB_PASSWORD", "tasks");
        createIfMissing("jdbc:postgresql://" + host + ":" + port + "/postgres", user, password);
        var location = host + ":" + port + "/" + database;
        return Map.of(
                "quarkus.datasource.reactive.url",
                "postgresql://" + location,
                "quarkus.datasource.jdbc.url",
                "jdbc:postgresql://" + location,
                "quarkus.datasource.username",
                user,
                "quarkus.datasource.password",
                password);
    }

    private void createIfMissing(String adminUrl, String user, String password) {
        try (var connection = DriverManager.getConnection(adminUrl, user, password);
                var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            try (var result = exists.executeQuery()) {
                if (!result.next()) {
                    try (var create = connection.createStatement()) {
                        create.execute("create database " + database);
                    }
                }
            }
        } catch (SQLException e) {
            if (DUPLICATE_DATABASE.equals(e.getSQLState())) {
                return; // another test JVM created it a moment ago
            }
            throw new IllegalStateException(
                    "Cannot create test database " + database + " as " + user + " at " + adminUrl
                            + ". Run `make deps` first: it starts PostgreSQL and creates that role.",
                    e);
        }
    }

    @Override
    public void stop() {
        // The database stays: dropping it would cost every run a fresh migration for nothing.
    }
}
