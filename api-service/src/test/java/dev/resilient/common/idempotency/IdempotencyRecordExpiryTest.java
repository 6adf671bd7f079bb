package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.resilient.testing.TaskRows;

import io.restassured.http.ContentType;

/** A record lives for its TTL only: a retry after that is a new write. */
@QuarkusTest
@TestProfile(IdempotencyRecordExpiryTest.ShortRecordTtl.class)
class IdempotencyRecordExpiryTest {

    private static final String PREFIX = "tasks-test-expiry:idempotency:";

    /** Records kept for three seconds (long enough for a cold first request), under a prefix of their own. */
    public static class ShortRecordTtl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tasks.idempotency.record-ttl", "3S", "tasks.idempotency.key-prefix", PREFIX);
        }
    }

    @Inject
    TaskRows rows;

    @Inject
    RedisDataSource redis;

    @AfterEach
    void cleanUp() {
        rows.deleteAll();
    }

    @Test
    void aRetryAfterTheRecordExpiredRunsAgain() {
        var key = UUID.randomUUID().toString();
        var redisKey = IdempotencyFilters.redisKey(PREFIX, "POST", "/tasks", key);

        var first = post(key).then().statusCode(201).extract().<String>path("id");
        post(key).then().statusCode(201).header("Idempotent-Replayed", "true");
        assertThat(redis.key().pttl(redisKey)).isBetween(1L, 3000L);

        await().atMost(Duration.ofSeconds(10)).until(() -> !redis.key().exists(redisKey));
        var second = post(key)
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", nullValue())
                .extract()
                .<String>path("id");

        assertThat(second).isNotEqualTo(first);
        assertThat(rows.count()).isEqualTo(2);
    }

    private static io.restassured.response.Response post(String key) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks");
    }
}
