package dev.resilient.task.resilience;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;

import io.restassured.http.ContentType;

/**
 * PostgreSQL and RabbitMQ both unreachable: a write has nowhere safe to go, so it is refused with 503, and no
 * pending operation is left behind that nothing would ever complete.
 */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DeferralOutageTest extends OutageTestBase {

    private static final String OPERATIONS = "tasks-test:operations:";

    @Inject
    RedisDataSource redis;

    @Test
    void withPostgresAndRabbitmqDownAWriteIs503AndLeavesNoPendingOperation() {
        var before = redis.key().keys(OPERATIONS + "*").size();
        ProxiedDependencies.postgres().refuse();
        ProxiedDependencies.rabbitmq().refuse();

        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "nowhere to go"))
                .post("/tasks")
                .then()
                .statusCode(503)
                .header("Retry-After", "1");

        assertThat(redis.key().keys(OPERATIONS + "*")).hasSize(before);
        ProxiedDependencies.postgres().pass();
        assertThat(rows.count()).isZero();
    }

    @Test
    void deferralWorksAgainShortlyAfterRabbitmqReturns() {
        ProxiedDependencies.postgres().refuse();
        ProxiedDependencies.rabbitmq().refuse();
        postNew().then().statusCode(503);

        ProxiedDependencies.rabbitmq().pass();
        breakers.resetAll();

        // The publisher reconnects within about a second (reconnect-interval); until then a write may still get 503.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> postNew().then().statusCode(202));
    }

    private static io.restassured.response.Response postNew() {
        return given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "later"))
                .post("/tasks");
    }
}
