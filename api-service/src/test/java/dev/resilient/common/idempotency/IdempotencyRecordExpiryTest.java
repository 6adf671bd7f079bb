package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
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
import dev.resilient.testsupport.Tokens;

import io.restassured.http.ContentType;

/**
 * A record lives for its TTL only: a retry after that is not replayed. It still cannot apply its write twice: its
 * operation id comes from the request (IdempotentRequest), and PostgreSQL keeps what that operation did.
 */
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
    void aRetryAfterTheRecordExpiredAnswersWhatTheFirstAttemptDidWithoutApplyingItAgain() {
        var id = UUID.fromString(post(UUID.randomUUID().toString())
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
        var key = UUID.randomUUID().toString();
        var redisKey = IdempotencyFilters.redisKey(PREFIX, Tokens.SUBJECT, "PUT", "/tasks/" + id, key);

        rename(id, key, "b").then().statusCode(200).body("name", equalTo("b"));
        rename(id, UUID.randomUUID().toString(), "c").then().statusCode(200);
        rename(id, key, "b").then().statusCode(200).header("Idempotent-Replayed", "true");
        assertThat(redis.key().pttl(redisKey)).isBetween(1L, 3000L);

        await().atMost(Duration.ofSeconds(10)).until(() -> !redis.key().exists(redisKey));
        rename(id, key, "b")
                .then()
                .statusCode(200)
                .header("Idempotent-Replayed", nullValue())
                .header("ETag", "\"2\"")
                .body("name", equalTo("b"));
        assertThat(rows.byId(id))
                .as("the later rename to c stands: the resend did not run again")
                .containsEntry("name", "c")
                .containsEntry("version", "3");
    }

    /**
     * A create's task id comes from its method, path, key and body (IdempotentRequest), so the same create sent
     * again after its record expired runs again but names the same task: it answers that task, it does not make a
     * second one.
     */
    @Test
    void aCreateRetriedAfterTheRecordExpiredAnswersTheTaskItMade() {
        var key = UUID.randomUUID().toString();
        var redisKey = IdempotencyFilters.redisKey(PREFIX, Tokens.SUBJECT, "POST", "/tasks", key);

        var first = post(key).then().statusCode(201).extract().<String>path("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> !redis.key().exists(redisKey));
        post(key)
                .then()
                .statusCode(201)
                .header("Idempotent-Replayed", nullValue())
                .body("id", equalTo(first));

        assertThat(rows.count()).isEqualTo(1);
    }

    private static io.restassured.response.Response rename(UUID id, String key, String name) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .put("/tasks/{id}", id);
    }

    private static io.restassured.response.Response post(String key) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks");
    }
}
