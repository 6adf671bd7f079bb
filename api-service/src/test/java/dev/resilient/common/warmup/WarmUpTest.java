package dev.resilient.common.warmup;

import static dev.resilient.testsupport.Management.management;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.testing.TaskRows;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Readiness waits for the warm-up, which runs the real request paths against the real dependencies and leaves
 * nothing behind: no task, no opened breaker.
 */
@QuarkusTest
@TestProfile(WarmUpTest.WarmUpOn.class)
class WarmUpTest {

    public static class WarmUpOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tasks.api.warm-up.enabled", "true", "tasks.api.warm-up.duration", "3S");
        }
    }

    @Inject
    TaskRows rows;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Test
    void readinessComesOnceTheHotPathsHaveRunAndNothingIsLeftBehind() {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> management().get("/q/health/ready").then().statusCode(200));

        var warmUp = management()
                .get("/q/health/ready")
                .then()
                .extract()
                .<List<Map<String, Object>>>path("checks.findAll { it.name == 'warm-up' }")
                .get(0);
        assertThat(warmUp).containsEntry("status", "UP");
        @SuppressWarnings("unchecked")
        var data = (Map<String, Object>) warmUp.get("data");
        assertThat(data).containsEntry("outcome", "done");
        assertThat(((Number) data.get("requests")).longValue()).isGreaterThan(50);
        assertThat(rows.all()).extracting(row -> row.get("name")).noneMatch(name -> name.startsWith("warm-up"));
        for (var breaker : GuardedCalls.BREAKERS) {
            assertThat(breakers.currentState(breaker)).as(breaker).isEqualTo(CircuitBreakerState.CLOSED);
        }
    }
}
