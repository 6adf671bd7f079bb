package dev.resilient.task.deferred;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.DeferredWrites;
import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;
import dev.resilient.testing.Worker;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The whole path of a deferred write, with write-worker running as its own process: API answers 202 while
 * PostgreSQL refuses, RabbitMQ keeps the write, the worker applies it once PostgreSQL is back, and the client's poll
 * ends with what the synchronous call would have answered. Also with the worker killed (-9) in the middle of a
 * backlog: nothing is lost and nothing is applied twice.
 */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DeferredWritesEndToEndTest extends OutageTestBase {

    @Inject
    RedisDataSource redis;

    @Test
    void writesDeferredDuringAnOutageEndAsTheSynchronousCallsWouldHaveLeftThem() {
        var renamed = create("to be renamed");
        var deleted = create("to be deleted");
        ProxiedDependencies.postgres().refuse();

        var key = UUID.randomUUID().toString();
        var created = write("POST", "/tasks", key, Map.of("name", "created later"))
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        write("POST", "/tasks", key, Map.of("name", "created later"))
                .then()
                .statusCode(202)
                .header("Idempotent-Replayed", "true")
                .body("id", equalTo(created.getString("id")));
        var rename = write("PUT", "/tasks/" + renamed, UUID.randomUUID().toString(), Map.of("name", "renamed later"))
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        var delete = write("DELETE", "/tasks/" + deleted, UUID.randomUUID().toString(), null)
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();

        ProxiedDependencies.postgres().pass();
        breakers.resetAll();
        try (var worker = Worker.process("worker-end-to-end.log").start()) {
            var createdTask = awaitCompleted(created);
            assertThat(createdTask.getInt("resultStatus")).isEqualTo(201);
            var taskId = createdTask.getString("result.id");
            given().get("/tasks/{id}", taskId)
                    .then()
                    .statusCode(200)
                    .body("name", equalTo("created later"))
                    .body("createdAt", equalTo(createdTask.getString("result.createdAt")));

            var renameResult = awaitCompleted(rename);
            assertThat(renameResult.getInt("resultStatus")).isEqualTo(200);
            given().get("/tasks/{id}", renamed)
                    .then()
                    .statusCode(200)
                    .header("ETag", "\"2\"")
                    .body("name", equalTo("renamed later"))
                    .body("updatedAt", equalTo(renameResult.getString("result.updatedAt")));

            assertThat(awaitCompleted(delete).getInt("resultStatus")).isEqualTo(204);
            given().get("/tasks/{id}", deleted).then().statusCode(404);

            assertThat(rows.count()).isEqualTo(2);
            assertThat(worker.stop()).as("graceful exit status").isIn(0, 143);
        }
    }

    /**
     * Found by the chaos suite (postgres-latency): the fallback cache follows the writes the worker applies, as it
     * follows synchronous ones (docs/design.md section 4). Before, a task created through the worker was not cached (its
     * fallback read answered 503), and a task renamed or deleted through it kept its old copy for the cache's TTL,
     * which the fallback served once PostgreSQL failed again.
     */
    @Test
    void theFallbackCacheFollowsTheWritesTheWorkerApplies() {
        var renamed = create("cached before the rename");
        var deleted = create("cached before the delete");
        ProxiedDependencies.postgres().refuse();
        var created = write("POST", "/tasks", UUID.randomUUID().toString(), Map.of("name", "created by the worker"))
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        var rename = write("PUT", "/tasks/" + renamed, UUID.randomUUID().toString(), Map.of("name", "renamed"))
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        var delete = write("DELETE", "/tasks/" + deleted, UUID.randomUUID().toString(), null)
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        ProxiedDependencies.postgres().pass();
        breakers.resetAll();
        String createdId;
        try (var worker = Worker.process("worker-cache.log").start()) {
            createdId = awaitCompleted(created).getString("result.id");
            assertThat(awaitCompleted(rename).getInt("resultStatus")).isEqualTo(200);
            assertThat(awaitCompleted(delete).getInt("resultStatus")).isEqualTo(204);
        }

        // PostgreSQL gone again, with no read in between: only the fallback copies answer.
        ProxiedDependencies.postgres().refuse();
        given().get("/tasks/{id}", createdId)
                .then()
                .statusCode(200)
                .header("Cache-Status", containsString("fallback"))
                .body("name", equalTo("created by the worker"));
        given().get("/tasks/{id}", renamed)
                .then()
                .statusCode(200)
                .header("Cache-Status", containsString("fallback"))
                .body("name", equalTo("renamed"));
        // Never the deleted task's old copy: the worker left a tombstone, and without PostgreSQL that is "unknown".
        given().get("/tasks/{id}", deleted).then().statusCode(503);
    }

    /**
     * A write deferred while PostgreSQL was down, then Redis restarted empty: the journal forgot that the write is
     * queued, so a later write to the same task is applied at once and answered 200. When the worker gets to the older
     * write it must not overwrite the newer one: it ends failed (superseded), and the task keeps the later write.
     */
    @Test
    void aQueuedWriteRedisForgotIsSupersededByTheLaterWriteInsteadOfOverwritingIt() {
        var id = create("original");
        ProxiedDependencies.postgres().refuse();
        var older = write("PUT", "/tasks/" + id, UUID.randomUUID().toString(), Map.of("name", "A"))
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        forgetEverythingRedisHeld();
        ProxiedDependencies.postgres().pass();
        breakers.resetAll();

        write("PUT", "/tasks/" + id, UUID.randomUUID().toString(), Map.of("name", "B"))
                .then()
                .statusCode(200)
                .body("name", equalTo("B"));
        try (var worker = Worker.process("worker-forgotten.log").start()) {
            var state = awaitFinalTolerating404(older.getString("location"));
            assertThat(state.getString("status")).isEqualTo("failed");
            assertThat(state.getInt("resultStatus")).isEqualTo(409);
            assertThat(state.getString("problem.type")).isEqualTo("urn:resilient-tasks:problem:superseded");
        }
        given().get("/tasks/{id}", id).then().statusCode(200).body("name", equalTo("B"));
    }

    @Test
    void aWorkerKilledInTheMiddleOfABacklogLosesNothingAndDuplicatesNothing() throws Exception {
        ProxiedDependencies.postgres().refuse();
        var operations = deferCreates(2_000);
        ProxiedDependencies.postgres().pass();
        breakers.resetAll();

        var first = Worker.process("worker-killed.log").start();
        await().atMost(Duration.ofSeconds(60)).until(() -> rows.count() >= 200);
        first.kill();
        var appliedWhenKilled = rows.count();
        assertThat(appliedWhenKilled).as("killed in the middle of the backlog").isLessThan(2_000);

        try (var second = Worker.process("worker-restarted.log").start()) {
            await().atMost(Duration.ofSeconds(120)).until(() -> rows.count() == 2_000);
            // Watched in the journal (one MGET a look); then asked of the API once each, as a client would.
            await().atMost(Duration.ofSeconds(60)).until(() -> redis
                    .value(String.class)
                    .mget(operations.stream()
                            .map(id -> DeferredWrites.JOURNAL_PREFIX + id)
                            .toArray(String[]::new))
                    .values()
                    .stream()
                    .allMatch(state -> state != null && state.contains("\"status\":\"completed\"")));
        }
        assertThat(operations.stream()
                        .collect(Collectors.groupingBy(id -> String.valueOf(status(id)), Collectors.counting())))
                .as("operations by status, as GET /tasks/queued/{id} answers")
                .containsOnlyKeys("completed");
        assertThat(rows.count()).isEqualTo(2_000);
        assertThat(rows.appliedOperations())
                .as("each operation applied exactly once")
                .isEqualTo(2_000);
        assertThat(rows.distinctNames()).isEqualTo(2_000);
    }

    /**
     * POSTs {@code count} creates from 16 clients at once, each behaving as a real client: a 503 (a breaker tripped
     * by the burst on a cold service) is retried after its Retry-After with the same key, until it is accepted.
     */
    private static List<String> deferCreates(int count) throws Exception {
        var clients = Executors.newFixedThreadPool(16);
        try {
            var answers = new ArrayList<Future<String>>();
            for (int i = 0; i < count; i++) {
                var name = "backlog " + i;
                answers.add(clients.submit(() -> deferCreate(name)));
            }
            var operations = new ArrayList<String>();
            for (var answer : answers) {
                operations.add(answer.get(120, TimeUnit.SECONDS));
            }
            return operations;
        } finally {
            clients.shutdownNow();
        }
    }

    private static String deferCreate(String name) {
        var key = UUID.randomUUID().toString();
        var accepted = await().pollInterval(Duration.ofSeconds(1))
                .pollDelay(Duration.ZERO)
                .atMost(Duration.ofSeconds(60))
                .until(() -> write("POST", "/tasks", key, Map.of("name", name)), answer -> answer.statusCode() == 202);
        return accepted.path("id");
    }

    private static io.restassured.response.Response write(String method, String path, String key, Object body) {
        var request = given().header("Idempotency-Key", key);
        if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.request(method, path);
    }

    private static JsonPath awaitCompleted(JsonPath accepted) {
        var location = accepted.getString("location");
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> given().get(location)
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath(),
                        state -> List.of("completed", "failed").contains(state.getString("status")));
    }

    /** Polls until final; a 404 meanwhile is no answer yet (Redis lost the state until the worker stores one). */
    private static JsonPath awaitFinalTolerating404(String location) {
        return await().atMost(Duration.ofSeconds(60))
                .until(() -> given().get(location).then().extract().jsonPath(), state -> List.of("completed", "failed")
                        .contains(state.getString("status")));
    }

    /** What a Redis restarted without persistence holds of these tests: nothing. */
    private void forgetEverythingRedisHeld() {
        for (var prefix : List.of(
                DeferredWrites.JOURNAL_PREFIX,
                ProxiedDependencies.CACHE_PREFIX,
                ProxiedDependencies.IDEMPOTENCY_PREFIX)) {
            var keys = redis.key().keys(prefix + "*");
            if (!keys.isEmpty()) {
                redis.key().del(keys.toArray(String[]::new));
            }
        }
    }

    private static String status(String operationId) {
        return given().get("/tasks/queued/{id}", operationId).then().extract().path("status");
    }
}
