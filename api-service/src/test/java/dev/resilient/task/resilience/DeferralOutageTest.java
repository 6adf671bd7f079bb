package dev.resilient.task.resilience;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.task.application.DeferredWriteService;
import dev.resilient.testing.DeferredWrites;
import dev.resilient.testing.DelayQueueProbe;
import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * PostgreSQL and RabbitMQ both unreachable: a write has nowhere safe to go, so it is refused with 503, and no
 * pending operation is left behind that nothing would ever complete.
 */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DeferralOutageTest extends OutageTestBase {

    /** Operation states only: the journal also keeps cancel marks and the order of queued writes. */
    private static final String OPERATION_STATES = "tasks-test:operations:????????-*";

    @Inject
    RedisDataSource redis;

    @Inject
    DeferredWriteService deferrals;

    @Test
    void withPostgresAndRabbitmqDownAWriteIs503AndLeavesNoPendingOperation() {
        var before = redis.key().keys(OPERATION_STATES).size();
        ProxiedDependencies.postgres().refuse();
        ProxiedDependencies.rabbitmq().refuse();

        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "nowhere to go"))
                .post("/tasks")
                .then()
                .statusCode(503)
                .header("Retry-After", "1");

        assertThat(redis.key().keys(OPERATION_STATES)).hasSize(before);
        assertThat(redis.key().keys(DeferredWrites.JOURNAL_PREFIX + "order:*"))
                .as("the cancelled write holds no place in the order")
                .isEmpty();
        assertThat(redis.key().keys(DeferredWrites.JOURNAL_PREFIX + "cancelled:*"))
                .as("a late delivery of it will be dropped")
                .hasSize(1);
        ProxiedDependencies.postgres().pass();
        assertThat(rows.count()).isZero();
    }

    @Test
    void aDeferredWriteReachesRabbitmqPersistentWithItsOperationId() throws Exception {
        try (var probe = new DelayQueueProbe()) {
            ProxiedDependencies.postgres().refuse();

            var operation = postNew().then().statusCode(202).extract().<String>path("id");

            var delivered = probe.awaitMessageOf(operation);
            var properties = delivered.getProps();
            assertThat(properties.getDeliveryMode()).as("persistent").isEqualTo(2);
            assertThat(properties.getExpiration())
                    .as("the initial delay, in the delay queue")
                    .isEqualTo("1000");
            var body = new ObjectMapper().readTree(delivered.getBody());
            assertThat(body.get("operationId").asText()).isEqualTo(operation);
            assertThat(properties.getMessageId())
                    .as("the message id names this publication, which the API withdraws if it is not confirmed")
                    .isEqualTo(body.get("publicationId").asText())
                    .isNotEqualTo(operation);
            assertThat(body.get("place").asLong())
                    .as("its place in the order of accepted writes: microseconds from Redis's clock")
                    .isGreaterThan(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000);
            assertThat(body.get("write").get("type").asText()).isEqualTo("create");
            assertThat(body.get("write").get("name").asText()).isEqualTo("later");
            var again = probe.next();
            assertThat(again == null ? null : again.getProps().getMessageId())
                    .as("published once")
                    .isNotEqualTo(properties.getMessageId());
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

    /**
     * The publisher's breaker, opened while RabbitMQ was away, closes on its own through a trial message once the
     * broker is back, so the first write deferred after the outage is accepted, not refused by a stale breaker.
     */
    @Test
    void thePublishersBreakerClosesOnItsOwnOnceRabbitmqIsBack() {
        ProxiedDependencies.postgres().refuse();
        ProxiedDependencies.rabbitmq().refuse();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            postNew();
            return breakers.currentState(GuardedCalls.RABBITMQ_PUBLISH) == CircuitBreakerState.OPEN;
        });

        ProxiedDependencies.rabbitmq().pass();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> breakers.currentState(GuardedCalls.RABBITMQ_PUBLISH) == CircuitBreakerState.CLOSED);
        postNew().then().statusCode(202);
    }

    @Test
    void aWriteToATaskWithQueuedWritesIsQueuedBehindThemEvenOncePostgresIsBack() {
        var id = create("queued behind");
        var other = create("nothing queued");
        ProxiedDependencies.postgres().refuse();
        rename(id, "deferred first").then().statusCode(202);

        ProxiedDependencies.postgres().pass();
        breakers.resetAll();

        // PostgreSQL could take it now, but applying it would overtake the deferred rename.
        rename(id, "must come second").then().statusCode(202);
        // A task with nothing queued is written at once.
        rename(other, "applied now").then().statusCode(200);
        // A delete-all may not overtake them either.
        given().header("Idempotency-Key", UUID.randomUUID().toString())
                .delete("/tasks")
                .then()
                .statusCode(202);
        given().get("/tasks/{id}", id)
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.equalTo("queued behind"));
    }

    /**
     * Found by the chaos suite: a journal call that times out in the API may still have run in Redis. The client is
     * answered 503; the recorded write, which nothing publishes, must not keep its place in its task's order, or every
     * later write to the task queues behind it until the worker presumes it lost (minutes).
     */
    @Test
    void aRecordingAnsweredTooLateIsWithdrawnSoTheTasksNextWriteIsNotHeldBehindIt() {
        var id = create("late answer");
        // Redis runs each call 600 ms after it is sent, and its answer arrives after the API's 1 s timeout.
        ProxiedDependencies.redis().delay(Duration.ofMillis(600));

        assertThatThrownBy(() -> deferrals
                        .defer(
                                UUID.randomUUID(),
                                new TaskWrite.UpdateTask(id, "never published", null, null, Instant.now()))
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isInstanceOf(DependencyUnavailableException.class);

        ProxiedDependencies.redis().pass();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(redis.key().keys(DeferredWrites.JOURNAL_PREFIX + "order:*"))
                        .as("the withdrawn write holds no place in the order")
                        .isEmpty());
        assertThat(redis.key().keys(OPERATION_STATES))
                .as("and has no state to poll")
                .isEmpty();
        breakers.resetAll();
        rename(id, "applied at once").then().statusCode(200);
    }

    /**
     * Found by {@code make load} on a cold start: a create whose PostgreSQL call timed out but still committed, and
     * whose deferral failed, was answered 503, and its resend (same Idempotency-Key, same body) created a second task.
     * The resend names the same task now, and is answered with the one the first attempt made.
     */
    @Test
    void theResendOfACreateAnswered503AfterItCommittedAnswersThatTaskInsteadOfMakingASecond() {
        var key = UUID.randomUUID().toString();
        // Every chunk to PostgreSQL waits 400 ms: the create's transaction commits after the API's 1 s timeout.
        ProxiedDependencies.postgres().delay(Duration.ofMillis(400));
        ProxiedDependencies.rabbitmq().refuse();

        createWithKey(key, "committed unseen").then().statusCode(503);
        await().atMost(Duration.ofSeconds(15)).until(() -> rows.count() == 1);
        var committed = rows.all().get(0).get("id");

        ProxiedDependencies.postgres().pass();
        ProxiedDependencies.rabbitmq().pass();
        breakers.resetAll();
        createWithKey(key, "committed unseen")
                .then()
                .statusCode(201)
                .body("id", equalTo(committed))
                .header("Location", endsWith("/tasks/" + committed));
        assertThat(rows.count()).as("one task, not two").isEqualTo(1);

        // The publisher reconnects within about a second; the next test must find deferral working.
        ProxiedDependencies.postgres().refuse();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> postNew().then().statusCode(202));
    }

    /**
     * The same for a conditional update: the resend's If-Match names the version the first attempt replaced, so
     * applied again it would be refused with 412 although the write succeeded. It answers the committed update.
     */
    @Test
    void theResendOfAConditionalUpdateAnswered503AfterItCommittedAnswersTheUpdateNot412() {
        var id = create("before");
        var key = UUID.randomUUID().toString();
        ProxiedDependencies.postgres().delay(Duration.ofMillis(400));
        ProxiedDependencies.rabbitmq().refuse();

        renameIfMatch(key, id, "after").then().statusCode(503);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "after".equals(rows.byId(id).get("name")));

        ProxiedDependencies.postgres().pass();
        ProxiedDependencies.rabbitmq().pass();
        breakers.resetAll();
        renameIfMatch(key, id, "after")
                .then()
                .statusCode(200)
                .header("ETag", "\"2\"")
                .body("name", equalTo("after"));
        assertThat(rows.byId(id).get("version")).as("applied once").isEqualTo("2");

        ProxiedDependencies.postgres().refuse();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> postNew().then().statusCode(202));
    }

    /**
     * A 202 promises that RabbitMQ holds the write. When the broker loses a queue (an operator deleted it) a write it
     * cannot route is refused (503), never confirmed; when it loses every definition and drops every connection (a
     * reset), the services declare the topology again by themselves, and every write answered 202 meanwhile is in a
     * queue.
     */
    @Test
    void aWriteIsNeverAnswered202ForAMessageNoQueueHoldsAndDeferralComesBackByItself() {
        ProxiedDependencies.postgres().refuse();
        postNew().then().statusCode(202);

        deferredWrites.deleteFromBroker(false, DeferredWrites.TOPOLOGY.delayQueue());
        postNew().then().statusCode(503).header("Retry-After", "1");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> postNew().then().statusCode(202));

        deferredWrites.deleteFromBroker(true);
        ProxiedDependencies.rabbitmq().closeConnections();
        var accepted = new java.util.HashSet<String>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var answer = postNew().then().extract();
            assertThat(answer.statusCode())
                    .as("accepted or refused, nothing else")
                    .isIn(202, 503);
            if (answer.statusCode() == 202) {
                accepted.add(answer.path("id"));
            }
            return accepted.size() >= 3;
        });
        var queued = new java.util.HashSet<String>();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            queued.addAll(deferredWrites.takeQueuedOperations());
            assertThat(queued)
                    .as("every write answered 202 since the broker lost everything is in a queue")
                    .containsAll(accepted);
        });
    }

    private static io.restassured.response.Response renameIfMatch(String key, UUID id, String name) {
        return given().header("Idempotency-Key", key)
                .header("If-Match", "\"1\"")
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .put("/tasks/{id}", id);
    }

    private static io.restassured.response.Response createWithKey(String key, String name) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks");
    }

    private static io.restassured.response.Response rename(UUID id, String name) {
        return given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .put("/tasks/{id}", id);
    }

    private static io.restassured.response.Response postNew() {
        return given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "later"))
                .post("/tasks");
    }
}
