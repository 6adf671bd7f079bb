package dev.resilient.task.resilience;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
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
    void aDeferredWriteReachesRabbitmqPersistentWithItsOperationId() throws Exception {
        var factory = new ConnectionFactory();
        factory.setHost(env("RABBITMQ_HOST", "127.0.0.1"));
        factory.setPort(Integer.parseInt(env("RABBITMQ_PORT", "5672")));
        try (var connection = factory.newConnection();
                var channel = connection.createChannel()) {
            // A private queue bound like the worker's: exclusive, gone when this connection closes.
            var probe = channel.queueDeclare().getQueue();
            channel.queueBind(probe, "tasks-test.writes", "work");
            ProxiedDependencies.postgres().refuse();

            var operation = postNew().then().statusCode(202).extract().<String>path("id");

            // Other tests' writes refused with 503 while the broker was away may still arrive late (a send cannot be
            // called back once handed to the client): skip them, look for ours.
            var delivered = new AtomicReference<GetResponse>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                var message = channel.basicGet(probe, true);
                if (message != null && operation.equals(message.getProps().getMessageId())) {
                    delivered.set(message);
                }
                return delivered.get() != null;
            });
            var properties = delivered.get().getProps();
            assertThat(properties.getDeliveryMode()).as("persistent").isEqualTo(2);
            assertThat(properties.getMessageId()).isEqualTo(operation);
            var body = new ObjectMapper().readTree(delivered.get().getBody());
            assertThat(body.get("operationId").asText()).isEqualTo(operation);
            assertThat(body.get("write").get("type").asText()).isEqualTo("create");
            assertThat(body.get("write").get("name").asText()).isEqualTo("later");
            var again = channel.basicGet(probe, true);
            assertThat(again == null ? null : again.getProps().getMessageId())
                    .as("published once")
                    .isNotEqualTo(operation);
        }
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

    private static String env(String name, String fallback) {
        var value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static io.restassured.response.Response postNew() {
        return given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "later"))
                .post("/tasks");
    }
}
