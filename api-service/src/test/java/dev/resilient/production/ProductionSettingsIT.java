package dev.resilient.production;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.resilient.testsupport.ServiceProcess;

/**
 * The packaged services, started as a deployment would start them but without their passwords: the production profile
 * has no default for any, so each refuses to start and its output names every variable to set.
 */
class ProductionSettingsIT {

    @ParameterizedTest
    @ValueSource(strings = {"api-service", "write-worker"})
    void aStartWithoutThePasswordsFailsNamingThem(String module) throws IOException {
        var jar = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
        var log = Files.createDirectories(Path.of("target", "production-settings"))
                .resolve(module + ".log");
        Files.deleteIfExists(log);

        var status = ServiceProcess.withExactly(jar, Map.of(), log).startExpectingExit(Duration.ofSeconds(60));

        assertThat(status).as("exit status").isNotZero();
        assertThat(Files.readString(log)).contains("DB_PASSWORD", "RABBITMQ_PASSWORD");
    }
}
