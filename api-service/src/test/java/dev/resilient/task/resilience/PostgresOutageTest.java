package dev.resilient.task.resilience;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;
import dev.resilient.testsupport.PrometheusText;

import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * PostgreSQL refusing or hanging (through the fault proxy): reads come from the fallback cache and say so, a miss is a
 * 503 with Retry-After, a deleted task never comes back, writes get 503, and the breaker opens, fails fast, and closes
 * again when PostgreSQL returns.
 */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class PostgresOutageTest extends OutageTestBase {

    @Inject
    RedisDataSource redis;

    private static final String FALLBACK = "tasks-api; hit; detail=fallback";

    @Test
    void readsGoThroughTheProxyWhileHealthy() {
        var id = create("proxied");

        given().get("/tasks/{id}", id).then().statusCode(200).header("Cache-Status", nullValue());

        assertThat(ProxiedDependencies.postgres().connectionCount()).isPositive();
    }

    @Test
    void aTaskIsServedFromTheCacheWithItsValidatorsWhilePostgresRefuses() {
        var id = create("Read a book");
        var healthy = given().get("/tasks/{id}", id).then().statusCode(200).extract();

        ProxiedDependencies.postgres().refuse();

        var cached = awaitFallback("/tasks/" + id);
        var hits = metric("tasks_cache_hit_total", "task");
        given().get("/tasks/{id}", id).then().statusCode(200).header("Cache-Status", FALLBACK);
        assertThat(metric("tasks_cache_hit_total", "task")).isEqualTo(hits + 1);
        assertThat(cached.asString()).isEqualTo(healthy.asString());
        assertThat(cached.header("ETag")).isEqualTo(healthy.header("ETag"));
        assertThat(cached.header("Last-Modified")).isEqualTo(healthy.header("Last-Modified"));
        assertThat(cached.header("Cache-Control")).isEqualTo("private, no-cache");
    }

    @Test
    void theListIsServedFromTheCacheWhilePostgresRefuses() {
        var first = create("first");
        var second = create("second");
        given().get("/tasks").then().statusCode(200);

        ProxiedDependencies.postgres().refuse();

        var cached = awaitFallback("/tasks");
        assertThat(cached.<List<String>>path("id")).containsExactly(first.toString(), second.toString());
    }

    @Test
    void theFirstPagesOfTheDefaultSizeAreServedFromTheCacheAndOtherSizesAre503() {
        rows.insert(150, "paged");
        var first = given().get("/tasks").then().statusCode(200).extract();
        var secondPage = first.header("Link").replaceAll("^<([^>]+)>.*$", "$1");
        var second = given().get(secondPage).then().statusCode(200).extract();
        given().get("/tasks?limit=10").then().statusCode(200);

        ProxiedDependencies.postgres().refuse();

        var cachedFirst = awaitFallback("/tasks");
        assertThat(cachedFirst.asString()).isEqualTo(first.asString());
        assertThat(cachedFirst.header("Link")).isEqualTo(first.header("Link"));
        var cachedSecond = awaitFallback(secondPage);
        assertThat(cachedSecond.asString()).isEqualTo(second.asString());
        assertThat(cachedSecond.header("Link")).isNull();
        given().get("/tasks?limit=10")
                .then()
                .statusCode(503)
                .header("Retry-After", "1")
                .contentType("application/problem+json");
    }

    @Test
    void aTaskIsServedFromTheCacheWhilePostgresHangs() {
        var id = create("patience");
        given().get("/tasks/{id}", id).then().statusCode(200);

        ProxiedDependencies.postgres().blackhole();
        ProxiedDependencies.postgres().closeConnections();

        var cached = awaitFallback("/tasks/" + id);
        assertThat(cached.<String>path("name")).isEqualTo("patience");
    }

    @Test
    void aTaskNotInTheCacheIs503WithRetryAfter() {
        ProxiedDependencies.postgres().refuse();
        var misses = metric("tasks_cache_miss_total", "task");

        given().get("/tasks/{id}", UUID.randomUUID())
                .then()
                .statusCode(503)
                .header("Retry-After", "1")
                .contentType("application/problem+json");
        assertThat(metric("tasks_cache_miss_total", "task")).isEqualTo(misses + 1);
    }

    @Test
    void aDeletedTaskIsNeverServedFromTheCache() {
        var kept = create("kept");
        var deleted = create("deleted");
        given().get("/tasks/{id}", deleted).then().statusCode(200);
        given().get("/tasks").then().statusCode(200);
        given().delete("/tasks/{id}", deleted).then().statusCode(204);

        ProxiedDependencies.postgres().refuse();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get("/tasks/{id}", deleted).then().statusCode(503));
        var list = given().get("/tasks").then().extract();
        if (list.statusCode() == 200) {
            assertThat(list.header("Cache-Status")).isEqualTo(FALLBACK);
            assertThat(list.<List<String>>path("id")).containsExactly(kept.toString());
        } else {
            assertThat(list.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void writesAreDeferredWith202AndARetryReturnsTheSameOperation() {
        var id = create("unchanged");
        ProxiedDependencies.postgres().refuse();
        var key = UUID.randomUUID().toString();

        var accepted = given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "later"))
                .post("/tasks")
                .then()
                .statusCode(202)
                .header("Retry-After", "5")
                .body("status", equalTo("pending"))
                .extract();
        var operation = accepted.<String>path("id");
        assertThat(accepted.header("Location")).isEqualTo("/tasks/queued/" + operation);
        assertThat(accepted.<String>path("location")).isEqualTo("/tasks/queued/" + operation);
        assertThat(accepted.<Integer>path("retryAfter")).isEqualTo(5);

        given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "later"))
                .post("/tasks")
                .then()
                .statusCode(202)
                .header("Idempotent-Replayed", "true")
                .body("id", equalTo(operation));
        given().get(accepted.header("Location"))
                .then()
                .statusCode(200)
                .header("Retry-After", "5")
                .body("id", equalTo(operation))
                .body("status", equalTo("pending"));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "changed"))
                .put("/tasks/{id}", id)
                .then()
                .statusCode(202);
        given().delete("/tasks/{id}", id).then().statusCode(202);

        ProxiedDependencies.postgres().pass();
        assertThat(rows.count())
                .as("nothing applied yet: the worker applies deferred writes")
                .isEqualTo(1);
        assertThat(rows.byId(id)).containsEntry("name", "unchanged");
    }

    @Test
    void anUnknownOperationIs404AndAMalformedIdIs400() {
        given().get("/tasks/queued/{id}", UUID.randomUUID()).then().statusCode(404);
        given().get("/tasks/queued/{id}", "nope").then().statusCode(400);
    }

    @Test
    void theBreakerOpensFailsFastThenHalfOpensAndClosesWhenPostgresReturns() {
        var id = create("breaker");
        ProxiedDependencies.postgres().refuse();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            given().get("/tasks/{id}", UUID.randomUUID());
            return breakers.currentState(GuardedCalls.POSTGRES_READ) == CircuitBreakerState.OPEN;
        });
        var rejectedBefore = metric("ft_circuitbreaker_calls_total", "circuitBreakerOpen");
        given().get("/tasks/{id}", UUID.randomUUID()).then().statusCode(503);
        assertThat(metric("ft_circuitbreaker_calls_total", "circuitBreakerOpen"))
                .as("the call was refused by the open breaker, not sent to PostgreSQL")
                .isGreaterThan(rejectedBefore);
        assertThat(metric("tasks_breaker_state", GuardedCalls.POSTGRES_READ)).isEqualTo(2.0);
        management()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'circuit-breakers' }.data.'postgres-read'", equalTo("open"));

        ProxiedDependencies.postgres().pass();

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            given().get("/tasks/{id}", id);
            return breakers.currentState(GuardedCalls.POSTGRES_READ) == CircuitBreakerState.CLOSED;
        });
        given().get("/tasks/{id}", id).then().statusCode(200).header("Cache-Status", nullValue());
        assertThat(metric("tasks_breaker_state", GuardedCalls.POSTGRES_READ)).isZero();
        assertThat(metric("tasks_breaker_transitions_total", GuardedCalls.POSTGRES_READ))
                .isGreaterThanOrEqualTo(3.0);
    }

    /**
     * A breaker opened by an outage closes on its own once the dependency is back, without a single request: a trial
     * call goes through it after its delay. Otherwise it stays open until traffic comes, and the first requests after
     * the outage meet it.
     */
    @Test
    void anOpenBreakerClosesOnItsOwnOncePostgresIsBackWithoutAnyRequest() {
        ProxiedDependencies.postgres().refuse();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            given().get("/tasks/{id}", UUID.randomUUID());
            return breakers.currentState(GuardedCalls.POSTGRES_READ) == CircuitBreakerState.OPEN;
        });

        ProxiedDependencies.postgres().pass();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> breakers.currentState(GuardedCalls.POSTGRES_READ) == CircuitBreakerState.CLOSED);
    }

    /**
     * Redis restarts empty while nothing is in flight; the service notices on its own (it watches a key that only
     * disappears with Redis's data) and forgets which copies it believes stored, so the next healthy reads store them
     * again. Without that, those reads skip the refresh for up to half the cache's TTL, and a PostgreSQL outage in that
     * window finds no copy at all.
     */
    @Test
    void afterRedisLosesItsDataTheNextReadsStoreTheCopyAgainForTheNextOutage() {
        var id = create("cached before Redis restarted");
        given().get("/tasks/{id}", id).then().statusCode(200);
        var lostBefore = PrometheusText.sum(
                management().get("/q/metrics").then().extract().asString(),
                sample -> sample.name().equals("tasks_redis_data_lost_total"));

        forgetEverythingRedisHeld();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(PrometheusText.sum(
                        management().get("/q/metrics").then().extract().asString(),
                        sample -> sample.name().equals("tasks_redis_data_lost_total")))
                .as("noticed without any request")
                .isEqualTo(lostBefore + 1));
        for (int read = 0; read < 3; read++) {
            given().get("/tasks/{id}", id).then().statusCode(200).header("Cache-Status", nullValue());
        }

        ProxiedDependencies.postgres().refuse();
        var cached = awaitFallback("/tasks/" + id);
        assertThat(cached.<String>path("name")).isEqualTo("cached before Redis restarted");
    }

    /** What a Redis restarted without persistence holds of these tests: nothing. */
    private void forgetEverythingRedisHeld() {
        var keys = redis.key().keys("tasks-test-proxied:*");
        if (!keys.isEmpty()) {
            redis.key().del(keys.toArray(String[]::new));
        }
    }

    private static ExtractableResponse<Response> awaitFallback(String path) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> given().get(path).then().statusCode(200).header("Cache-Status", FALLBACK));
        return given().get(path)
                .then()
                .statusCode(200)
                .header("Cache-Status", FALLBACK)
                .extract();
    }

    /** The sum of a metric's series whose labels mention {@code label}. */
    static double metric(String name, String label) {
        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(
                scrape, sample -> sample.name().equals(name) && sample.series().contains("\"" + label + "\""));
    }
}
