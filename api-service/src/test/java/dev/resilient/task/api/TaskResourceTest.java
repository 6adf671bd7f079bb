package dev.resilient.task.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.FreshIdempotencyKeys;
import dev.resilient.testing.TaskRows;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Every row of the endpoint table (docs/design.md section 2) against the real local PostgreSQL. */
@QuarkusTest
class TaskResourceTest {

    private static final String DEFAULT_NAME = "Read a book";
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String UNKNOWN_ID = "5b0e8f8a-3c55-4d6e-9a59-2a4b6b0c9d11";

    @Inject
    TaskRows rows;

    @BeforeEach
    void emptyTableAndKeyEveryWrite() {
        rows.deleteAll();
        FreshIdempotencyKeys.install();
    }

    @AfterEach
    void cleanUp() {
        FreshIdempotencyKeys.remove();
        rows.deleteAll();
    }

    @Test
    void createAnswers201WithLocationValidatorsAndTheStoredTask() {
        var response = given().contentType(ContentType.JSON)
                .body(Map.of("name", DEFAULT_NAME))
                .when()
                .post("/tasks")
                .then()
                .statusCode(201)
                .contentType(ContentType.JSON)
                .header("ETag", "\"1\"")
                .header("Last-Modified", notNullValue())
                .body("name", equalTo(DEFAULT_NAME))
                .body("status", equalTo("pending"))
                .extract();
        var id = response.path("id").toString();
        assertThat(response.header("Location")).isEqualTo("/tasks/" + id);
        assertThat(response.<String>path("createdAt")).isEqualTo(response.<String>path("updatedAt"));
        assertThat(Instant.parse(response.path("createdAt"))).isBeforeOrEqualTo(Instant.now());

        var row = rows.byId(UUID.fromString(id));
        assertThat(row).containsEntry("name", DEFAULT_NAME).containsEntry("status", "pending");
        assertThat(row).containsEntry("version", "1");
        assertThat(rows.count()).isEqualTo(1);
    }

    @Test
    void createTakesAnExplicitStatus() {
        var id = createTask("Ship it", "in_progress");

        assertThat(rows.byId(id)).containsEntry("status", "in_progress");
    }

    @Test
    void listReturnsAllTasksOldestFirstWithCacheControl() {
        var first = createTask("first", null);
        var second = createTask("second", null);
        var third = createTask("third", "completed");

        given().when()
                .get("/tasks")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .header("Cache-Control", "private, no-cache")
                .body("$", hasSize(3))
                .body("id", equalTo(List.of(first.toString(), second.toString(), third.toString())))
                .body("name", equalTo(List.of("first", "second", "third")));
    }

    @Test
    void listIsEmptyWhenThereAreNoTasks() {
        given().when().get("/tasks").then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void getAnswersTheTaskWithValidatorsAndCacheControl() {
        var id = createTask(DEFAULT_NAME, null);

        given().when()
                .get("/tasks/{id}", id)
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .header("ETag", "\"1\"")
                .header("Last-Modified", matchesPattern("\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"))
                .header("Cache-Control", "private, no-cache")
                .body("id", equalTo(id.toString()))
                .body("name", equalTo(DEFAULT_NAME))
                .body("status", equalTo("pending"));
    }

    @Test
    void getAnswers304WhenIfNoneMatchMatches() {
        var id = createTask(DEFAULT_NAME, null);

        given().header("If-None-Match", "\"7\", \"1\"")
                .when()
                .get("/tasks/{id}", id)
                .then()
                .statusCode(304)
                .header("ETag", "\"1\"")
                .body(emptyString());
        given().header("If-None-Match", "W/\"1\"")
                .when()
                .get("/tasks/{id}", id)
                .then()
                .statusCode(304);
        given().header("If-None-Match", "\"2\"")
                .when()
                .get("/tasks/{id}", id)
                .then()
                .statusCode(200);
    }

    @Test
    void getAnswers404ForAnUnknownTask() {
        expectProblem(given().when().get("/tasks/{id}", UNKNOWN_ID), 404)
                .body("detail", equalTo("Task " + UNKNOWN_ID + " does not exist."))
                .body("instance", equalTo("/tasks/" + UNKNOWN_ID));
    }

    @Test
    void updateChangesOnlyTheFieldsPresent() {
        var id = createTask(DEFAULT_NAME, null);
        var before = rows.byId(id);

        given().contentType(ContentType.JSON)
                .body(Map.of("status", "completed"))
                .when()
                .put("/tasks/{id}", id)
                .then()
                .statusCode(200)
                .header("ETag", "\"2\"")
                .body("name", equalTo(DEFAULT_NAME))
                .body("status", equalTo("completed"));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "Read two books"))
                .when()
                .put("/tasks/{id}", id)
                .then()
                .statusCode(200)
                .header("ETag", "\"3\"")
                .body("name", equalTo("Read two books"))
                .body("status", equalTo("completed"));

        var after = rows.byId(id);
        assertThat(after).containsEntry("name", "Read two books").containsEntry("status", "completed");
        assertThat(after.get("created_at")).isEqualTo(before.get("created_at"));
        assertThat(after.get("updated_at")).isGreaterThan(before.get("updated_at"));
    }

    @Test
    void updateAnswersCreatedAtUnchangedAndUpdatedAtMoved() {
        var created = given().contentType(ContentType.JSON)
                .body(Map.of("name", DEFAULT_NAME))
                .post("/tasks")
                .then()
                .extract();

        var updated = given().contentType(ContentType.JSON)
                .body(Map.of("name", "renamed", "status", "in_progress"))
                .put("/tasks/{id}", created.<String>path("id"))
                .then()
                .statusCode(200)
                .extract();

        assertThat(updated.<String>path("createdAt")).isEqualTo(created.path("createdAt"));
        assertThat(Instant.parse(updated.path("updatedAt"))).isAfter(Instant.parse(created.path("updatedAt")));
    }

    @Test
    void updateWithAMatchingIfMatchApplies() {
        var id = createTask(DEFAULT_NAME, null);

        given().contentType(ContentType.JSON)
                .header("If-Match", "\"1\"")
                .body(Map.of("status", "completed"))
                .when()
                .put("/tasks/{id}", id)
                .then()
                .statusCode(200)
                .header("ETag", "\"2\"");
        given().contentType(ContentType.JSON)
                .header("If-Match", "*")
                .body(Map.of("status", "pending"))
                .when()
                .put("/tasks/{id}", id)
                .then()
                .statusCode(200)
                .header("ETag", "\"3\"");
    }

    @Test
    void updateWithAStaleIfMatchAnswers412AndChangesNothing() {
        var id = createTask(DEFAULT_NAME, null);
        given().contentType(ContentType.JSON)
                .body(Map.of("status", "completed"))
                .put("/tasks/{id}", id);
        var before = rows.byId(id);

        expectProblem(
                        given().contentType(ContentType.JSON)
                                .header("If-Match", "\"1\"")
                                .body(Map.of("name", "lost update"))
                                .when()
                                .put("/tasks/{id}", id),
                        412)
                .header("ETag", "\"2\"");
        expectProblem(
                given().contentType(ContentType.JSON)
                        .header("If-Match", "W/\"2\"")
                        .body(Map.of("name", "weak tags never match If-Match"))
                        .when()
                        .put("/tasks/{id}", id),
                412);

        assertThat(rows.byId(id)).isEqualTo(before);
    }

    @Test
    void concurrentUpdatesWithTheSameIfMatchApplyExactlyOnce() throws Exception {
        var id = createTask(DEFAULT_NAME, null);
        var writers = 8;
        var calls = new ArrayList<Callable<Integer>>();
        for (int i = 0; i < writers; i++) {
            var name = "writer " + i;
            calls.add(() -> given().contentType(ContentType.JSON)
                    .header("If-Match", "\"1\"")
                    .body(Map.of("name", name))
                    .put("/tasks/{id}", id)
                    .statusCode());
        }

        var statuses = new ArrayList<Integer>();
        var pool = Executors.newFixedThreadPool(writers);
        try {
            for (var future : pool.invokeAll(calls)) {
                statuses.add(future.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(statuses).containsOnly(200, 412);
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(rows.byId(id)).containsEntry("version", "2");
    }

    @Test
    void updateAnswers404ForAnUnknownTaskAndCreatesNothing() {
        expectProblem(
                given().contentType(ContentType.JSON)
                        .body(Map.of("name", "ghost"))
                        .when()
                        .put("/tasks/{id}", UNKNOWN_ID),
                404);

        assertThat(rows.count()).isZero();
    }

    @Test
    void deleteAnswers204AndThenTheTaskIsGone() {
        var id = createTask(DEFAULT_NAME, null);
        var other = createTask("keep me", null);

        given().when().delete("/tasks/{id}", id).then().statusCode(204).body(emptyString());

        assertThat(rows.byId(id)).isNull();
        assertThat(rows.byId(other)).isNotNull();
        expectProblem(given().when().get("/tasks/{id}", id), 404);
        expectProblem(given().when().delete("/tasks/{id}", id), 404);
    }

    @Test
    void deleteHonoursIfMatch() {
        var id = createTask(DEFAULT_NAME, null);

        expectProblem(given().header("If-Match", "\"2\"").when().delete("/tasks/{id}", id), 412)
                .header("ETag", "\"1\"");
        assertThat(rows.byId(id)).isNotNull();

        given().header("If-Match", "\"1\"")
                .when()
                .delete("/tasks/{id}", id)
                .then()
                .statusCode(204);
        assertThat(rows.byId(id)).isNull();
    }

    @Test
    void deleteAnswers404ForAnUnknownTask() {
        createTask(DEFAULT_NAME, null);

        expectProblem(given().when().delete("/tasks/{id}", UNKNOWN_ID), 404);

        assertThat(rows.count()).isEqualTo(1);
    }

    @Test
    void deleteAllRemovesEveryTask() {
        createTask("one", null);
        createTask("two", null);

        given().when().delete("/tasks").then().statusCode(204).body(emptyString());

        assertThat(rows.count()).isZero();
        given().when().get("/tasks").then().statusCode(200).body("$", hasSize(0));
    }

    private static UUID createTask(String name, String status) {
        var body = status == null ? Map.of("name", name) : Map.of("name", name, "status", status);
        return UUID.fromString(given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }

    static ValidatableResponse expectProblem(io.restassured.response.Response response, int status) {
        return response.then()
                .statusCode(status)
                .contentType(PROBLEM_JSON)
                .body("status", equalTo(status))
                .body("title", notNullValue())
                .body("type", notNullValue());
    }
}
