package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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

import io.restassured.http.ContentType;

/**
 * A Redis that asks for a password (requirepass), given as REDIS_PASSWORD: the idempotency records are stored and
 * replayed through it as through the local one.
 */
@QuarkusTest
@WithTestResource(value = RedisPasswordTest.LockedRedis.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RedisPasswordTest {

    private static final String PREFIX = "tasks-test-password:idempotency:";

    /** A Redis of this test's own that refuses every command before AUTH. */
    public static class LockedRedis implements QuarkusTestResourceLifecycleManager {

        private PrivateRedis redis;

        @Override
        public Map<String, String> start() {
            redis = PrivateRedis.start(Path.of("target", "redis-password.log"), "--requirepass", "s3cret-for-tests");
            return Map.of(
                    "quarkus.redis.hosts",
                    "redis://127.0.0.1:" + redis.port(),
                    "REDIS_PASSWORD",
                    "s3cret-for-tests",
                    "tasks.idempotency.key-prefix",
                    PREFIX,
                    "%test.tasks.idempotency.key-prefix",
                    PREFIX);
        }

        @Override
        public void stop() {
            redis.close();
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
    void writesAreKeyedAndReplayedThroughARedisThatAsksForAPassword() {
        var key = UUID.randomUUID().toString();

        var first = create(key);
        var resent = create(key);

        assertThat(first).isEqualTo("201 false");
        assertThat(resent).isEqualTo("201 true");
        assertThat(rows.count()).isEqualTo(1);
        assertThat(redis.key().keys(PREFIX + "*")).isNotEmpty();
    }

    private static String create(String key) {
        var response = given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "behind a password"))
                .post("/tasks");
        return response.statusCode() + " " + "true".equals(response.header("Idempotent-Replayed"));
    }
}
