package dev.resilient.production;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.resilient.testsupport.Env;
import dev.resilient.testsupport.ServiceProcess;

/**
 * The packaged services, started as a deployment would start them but missing a setting the production profile has
 * no default for: each refuses to start and its output names what to set. Authentication can be turned off, but only
 * by saying so, and never silently.
 */
class ProductionSettingsIT {

    private static final Path LOGS = Path.of("target", "production-settings");
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

    @ParameterizedTest
    @ValueSource(strings = {"api-service", "write-worker"})
    void aStartWithoutThePasswordsFailsNamingThem(String module) throws IOException {
        var log = log(module + "-no-passwords.log");

        var status = ServiceProcess.withExactly(jar(module), Map.of(), log).startExpectingExit(EXIT_WITHIN);

        assertThat(status).as("exit status").isNotZero();
        assertThat(Files.readString(log)).contains("DB_PASSWORD", "RABBITMQ_PASSWORD");
    }

    @Test
    void aStartWithoutAKeyToVerifyTokensFailsNamingIt() throws IOException {
        var log = log("api-service-no-key.log");

        var status =
                ServiceProcess.withExactly(jar("api-service"), passwords(), log).startExpectingExit(EXIT_WITHIN);

        assertThat(status).as("exit status").isNotZero();
        assertThat(Files.readString(log))
                .contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_ISSUER", "TASKS_AUTH_ENABLED=false");
    }

    @Test
    void authenticationTurnedOffServesWithoutATokenAndWarnsAtStart() throws IOException {
        var log = log("api-service-auth-off.log");
        var settings = new HashMap<>(passwords());
        settings.put("TASKS_AUTH_ENABLED", "false");
        settings.put("DB_NAME", "tasks_test_api");
        settings.put("TASKS_API_WARM_UP_ENABLED", "false");
        // Names of its own in RabbitMQ and Redis: never those of a make run on this machine.
        settings.put("TASKS_MESSAGING_PREFIX", "tasks-test-auth-off.writes");
        settings.put("TASKS_CACHE_KEY_PREFIX", "tasks-test-auth-off:cache:");
        settings.put("TASKS_JOURNAL_KEY_PREFIX", "tasks-test-auth-off:operations:");
        settings.put("TASKS_IDEMPOTENCY_KEY_PREFIX", "tasks-test-auth-off:idempotency:");
        settings.put("TASKS_REDIS_INCARNATION_KEY", "tasks-test-auth-off:incarnation");

        try (var api =
                ServiceProcess.withExactly(jar("api-service"), settings, log).start()) {
            given().baseUri("http://127.0.0.1:" + api.port())
                    .noFilters()
                    .get("/tasks")
                    .then()
                    .statusCode(200);
        }
        assertThat(Files.readString(log)).contains("Authentication is OFF");
    }

    private static Map<String, String> passwords() {
        return Map.of(
                "DB_PASSWORD", Env.get("DB_PASSWORD", "tasks"),
                "RABBITMQ_PASSWORD", Env.get("RABBITMQ_PASSWORD", "guest"));
    }

    private static Path jar(String module) {
        return Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
    }

    private static Path log(String name) throws IOException {
        var log = Files.createDirectories(LOGS).resolve(name);
        Files.deleteIfExists(log);
        return log;
    }
}
