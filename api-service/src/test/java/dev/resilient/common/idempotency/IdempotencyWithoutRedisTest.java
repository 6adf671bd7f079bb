package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.resilient.testing.TaskRows;

import io.restassured.http.ContentType;

/** Redis unreachable: writes are refused with 503 (they could not be deduplicated), reads carry on. */
@QuarkusTest
@TestProfile(IdempotencyWithoutRedisTest.RedisUnreachable.class)
class IdempotencyWithoutRedisTest {

    /** Redis on a port nothing listens on. */
    public static class RedisUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.hosts", "redis://127.0.0.1:1");
        }
    }

    @Inject
    TaskRows rows;

    @AfterEach
    void cleanUp() {
        rows.deleteAll();
    }

    @Test
    void writesAnswer503WithRetryAfterAndChangeNothing() {
        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks")
                .then()
                .statusCode(503)
                .header("Retry-After", "1")
                .contentType("application/problem+json")
                .body("detail", containsString("same Idempotency-Key"));
        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .delete("/tasks")
                .then()
                .statusCode(503);

        assertThat(rows.count()).isZero();
    }

    @Test
    void readsStillAnswer() {
        given().get("/tasks").then().statusCode(200);
        given().get("/tasks/{id}", UUID.randomUUID()).then().statusCode(404);
    }
}
