package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.PrivateRedis;
import dev.resilient.testsupport.Tokens;

import io.restassured.http.ContentType;

/**
 * Redis as it must be deployed (maxmemory with the noeviction policy) and full: it refuses new keys rather than
 * evicting idempotency records or the journal. Writes, which cannot be made safe without a new record, are refused
 * with 503 and Retry-After; reads, which need no Redis, go on; what Redis held is all still there.
 */
@QuarkusTest
@WithTestResource(value = RedisFullTest.SmallRedis.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RedisFullTest {

    private static final String PREFIX = "tasks-test-full:idempotency:";

    /** A Redis of this test's own, of 8 MB, that evicts nothing. */
    public static class SmallRedis implements QuarkusTestResourceLifecycleManager {

        private PrivateRedis redis;

        @Override
        public Map<String, String> start() {
            redis = PrivateRedis.start(
                    Path.of("target", "redis-full.log"), "--maxmemory", "8mb", "--maxmemory-policy", "noeviction");
            return Map.of(
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + redis.port(),
                    "tasks.idempotency.key-prefix", PREFIX,
                    "%test.tasks.idempotency.key-prefix", PREFIX);
        }

        @Override
        public void stop() {
            redis.close();
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    TaskRows rows;

    @AfterEach
    void cleanUp() {
        redis.flushall();
        rows.deleteAll();
    }

    @Test
    void aFullRedisRefusesWritesWith503AndRetryAfterKeepsWhatItHeldAndReadsGoOn() {
        var key = UUID.randomUUID().toString();
        var id = given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "written before Redis filled up"))
                .post("/tasks")
                .then()
                .statusCode(201)
                .extract()
                .<String>path("id");

        fillUp();

        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "refused"))
                .post("/tasks")
                .then()
                .statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "1");
        given().get("/tasks/{id}", id).then().statusCode(200).body("name", equalTo("written before Redis filled up"));
        assertThat(redis.key().exists(IdempotencyFilters.redisKey(PREFIX, Tokens.SUBJECT, "POST", "/tasks", key)))
                .as("the first write's idempotency record was not evicted")
                .isTrue();
        assertThat(rows.count())
                .as("nothing was written that could not be deduplicated")
                .isOne();
    }

    /**
     * Stores values until Redis refuses them (OOM), then smaller ones until it refuses those too: it is then over its
     * maxmemory, and refuses even the smallest write. (A refused command's own buffer counts while it is checked, so a
     * Redis that just refused a large value may still take a small one.)
     */
    private void fillUp() {
        var values = redis.value(String.class);
        for (var size : new int[] {1024, 16}) {
            assertThat(refusedAfterFilling(values, "x".repeat(size)))
                    .as("refused a value of %d bytes", size)
                    .isTrue();
        }
    }

    private static boolean refusedAfterFilling(
            io.quarkus.redis.datasource.value.ValueCommands<String, String> values, String value) {
        try {
            for (int i = 0; i < 200_000; i++) {
                values.set("tasks-test-full:filler:" + value.length() + ":" + i, value);
            }
            return false;
        } catch (RuntimeException full) {
            return String.valueOf(full.getMessage()).contains("OOM");
        }
    }
}
