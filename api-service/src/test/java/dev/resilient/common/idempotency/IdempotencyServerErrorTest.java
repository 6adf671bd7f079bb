package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import io.restassured.http.ContentType;

/** A 5xx is never stored: the claim is released, so the client's retry runs again instead of replaying a failure. */
@QuarkusTest
@TestProfile(IdempotencyServerErrorTest.PostgresUnreachable.class)
class IdempotencyServerErrorTest {

    private static final String PREFIX = "tasks-test-5xx:idempotency:";

    /** PostgreSQL on a port nothing listens on, so every write fails on the server's side. */
    public static class PostgresUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url",
                    "postgresql://127.0.0.1:1/tasks",
                    "tasks.idempotency.key-prefix",
                    PREFIX);
        }
    }

    @Inject
    RedisDataSource redis;

    @Test
    void aServerErrorIsNotReplayed() {
        var key = UUID.randomUUID().toString();

        post(key).then().statusCode(greaterThanOrEqualTo(500));
        assertThat(redis.key().exists(IdempotencyFilters.redisKey(PREFIX, "POST", "/tasks", key)))
                .as("the claim was released")
                .isFalse();
        post(key).then().statusCode(greaterThanOrEqualTo(500)).header("Idempotent-Replayed", nullValue());
    }

    private static io.restassured.response.Response post(String key) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks");
    }
}
