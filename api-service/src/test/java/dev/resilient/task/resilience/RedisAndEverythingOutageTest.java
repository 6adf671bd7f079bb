package dev.resilient.task.resilience;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;

import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Redis refusing or hanging: reads carry on from PostgreSQL, writes get a 503 (no write without deduplication).
 * Everything down: every request gets a fast 503 with Retry-After, never a hang.
 */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class RedisAndEverythingOutageTest extends OutageTestBase {

    @Test
    void readsCarryOnFromPostgresWhileRedisRefuses() {
        var id = create("still readable");
        ProxiedDependencies.redis().refuse();

        for (int i = 0; i < 10; i++) {
            given().get("/tasks/{id}", id)
                    .then()
                    .statusCode(200)
                    .header("Cache-Status", nullValue())
                    .body("name", equalTo("still readable"));
            given().get("/tasks").then().statusCode(200).body("id[0]", equalTo(id.toString()));
        }
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void writesAre503WhileRedisRefusesOrHangs() {
        ProxiedDependencies.redis().refuse();
        postNew().then().statusCode(503).header("Retry-After", "1");

        ProxiedDependencies.redis().pass();
        breakers.resetAll();
        ProxiedDependencies.redis().blackhole();
        ProxiedDependencies.redis().closeConnections();
        postNew().then().statusCode(503).header("Retry-After", "1");

        assertThat(rows.count()).isZero();
    }

    @Test
    void theCacheBreakerOpensWhileRedisRefusesAndReadinessStaysUp() {
        var id = create("x");
        ProxiedDependencies.redis().refuse();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            given().get("/tasks").then().statusCode(200);
            given().get("/tasks/{id}", id).then().statusCode(200);
            return breakers.currentState(GuardedCalls.REDIS_CACHE) == CircuitBreakerState.OPEN;
        });
        management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'circuit-breakers' }.data.'redis-cache'", equalTo("open"));
    }

    @Test
    void everythingDownGivesFast503sWithRetryAfter() {
        var id = create("gone for now");
        ProxiedDependencies.postgres().refuse();
        ProxiedDependencies.redis().refuse();

        for (int i = 0; i < 20; i++) {
            given().get("/tasks/{id}", id).then().statusCode(503).header("Retry-After", "1");
            given().get("/tasks").then().statusCode(503);
            postNew().then().statusCode(503);
        }
        assertThat(breakers.currentState(GuardedCalls.POSTGRES_READ)).isEqualTo(CircuitBreakerState.OPEN);
        assertThat(breakers.currentState(GuardedCalls.REDIS_IDEMPOTENCY)).isEqualTo(CircuitBreakerState.OPEN);
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        ProxiedDependencies.postgres().pass();
        ProxiedDependencies.redis().pass();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/tasks/{id}", id).then().statusCode(200));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> postNew().then().statusCode(201));
    }

    /**
     * Found by the chaos suite (redis-latency): a claim whose answer timed out may still have been set in Redis. The
     * client is answered 503 and resends with the same key; the claim nobody holds must not refuse that resend (409)
     * for the claim's lifetime (10 s), so the API withdraws it before answering.
     */
    @Test
    void aClaimAnsweredTooLateIsWithdrawnSoTheResendRunsAtOnce() {
        var key = UUID.randomUUID().toString();
        // Redis runs the claim 600 ms after it is sent, and its answer arrives after the API's 1 s timeout.
        ProxiedDependencies.redis().delay(Duration.ofMillis(600));
        postWithKey(key).then().statusCode(503).header("Retry-After", "1");

        ProxiedDependencies.redis().pass();
        breakers.resetAll();
        postWithKey(key).then().statusCode(201).header("Idempotent-Replayed", nullValue());
        assertThat(rows.count()).isOne();
    }

    private static io.restassured.response.Response postWithKey(String key) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "sent twice"))
                .post("/tasks");
    }

    private static io.restassured.response.Response postNew() {
        return given().contentType(ContentType.JSON).body(Map.of("name", "new")).post("/tasks");
    }
}
