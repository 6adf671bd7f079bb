package dev.resilient.task.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.FreshIdempotencyKeys;
import dev.resilient.testing.TaskRows;

import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

/** {@code GET /tasks} a page at a time: sizes, the Link to the next page, and cursors that survive changes. */
@QuarkusTest
class TaskListPagingTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; *rel=\"next\"");
    private static final String PROBLEM_JSON = "application/problem+json";

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
    void theLinksWalkEveryTaskOnceOldestFirstAndTheLastPageHasNone() {
        rows.insert(5, "walk");

        var first = given().get("/tasks?limit=2").then().statusCode(200).extract();
        assertThat(names(first)).containsExactly("walk-1", "walk-2");
        var second = given().get(next(first)).then().statusCode(200).extract();
        assertThat(names(second)).containsExactly("walk-3", "walk-4");
        var last = given().get(next(second)).then().statusCode(200).extract();
        assertThat(names(last)).containsExactly("walk-5");
        assertThat(last.header("Link")).isNull();
        assertThat(next(first)).startsWith("/tasks?limit=2&after=");
    }

    @Test
    void aPageThatEndsTheListExactlyHasNoNextLink() {
        rows.insert(2, "exact");

        var page = given().get("/tasks?limit=2").then().statusCode(200).extract();

        assertThat(names(page)).containsExactly("exact-1", "exact-2");
        assertThat(page.header("Link")).isNull();
    }

    @Test
    void aCursorNeitherSkipsNorRepeatsWhenTasksAreCreatedAndDeletedMeanwhile() {
        var a = create("a");
        var b = create("b");
        create("c");
        create("d");
        var first = given().get("/tasks?limit=2").then().statusCode(200).extract();
        assertThat(names(first)).containsExactly("a", "b");

        // The task the cursor points after is gone, and so is the one before it; a new one comes last.
        given().delete("/tasks/{id}", b).then().statusCode(204);
        given().delete("/tasks/{id}", a).then().statusCode(204);
        create("e");

        var second = given().get(next(first)).then().statusCode(200).extract();
        assertThat(names(second)).containsExactly("c", "d");
        var third = given().get(next(second)).then().statusCode(200).extract();
        assertThat(names(third)).containsExactly("e");
        assertThat(third.header("Link")).isNull();
    }

    @Test
    void withoutLimitAPageHoldsAHundredTasks() {
        rows.insert(101, "many");

        var page = given().get("/tasks").then().statusCode(200).extract();

        assertThat(names(page)).hasSize(100).startsWith("many-1").endsWith("many-100");
        assertThat(next(page)).startsWith("/tasks?limit=100&after=");
        assertThat(names(given().get(next(page)).then().extract())).containsExactly("many-101");
    }

    @Test
    void aThousandIsTheLargestPage() {
        rows.insert(1001, "big");

        var page = given().get("/tasks?limit=1000").then().statusCode(200).extract();

        assertThat(names(page)).hasSize(1000);
        assertThat(names(given().get(next(page)).then().extract())).containsExactly("big-1001");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1001", "0", "-1", "ten", "1.5", "01", "99999999999"})
    void aLimitOutsideOneToAThousandIs400NamingIt(String limit) {
        given().get("/tasks?limit=" + limit)
                .then()
                .statusCode(400)
                .contentType(PROBLEM_JSON)
                .body("errors.find { it.field == 'limit' }.message", containsString("from 1 to 1000"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "garbage",
                "MTo1OjEyMzQ6bm90LWEtdXVpZA", // 1:5:1234:not-a-uuid
                "Mjo1OjEyMzQ6N2ZiY2NhYmUtMDYzNS00NTBkLTkyZGItZDBmZTQ4Mjk3NTlh", // version 2
                "MTo1Ojk5OTk5OTk5OTk5OTk5OTk5OTo3ZmJjY2FiZS0wNjM1LTQ1MGQtOTJkYi1kMGZlNDgyOTc1OWE" // beyond year 9999
            })
    void aCursorThisApiDidNotGiveOutIs400NamingIt(String after) {
        given().get("/tasks?after=" + after)
                .then()
                .statusCode(400)
                .contentType(PROBLEM_JSON)
                .body("errors.field", hasItem("after"));
    }

    private static UUID create(String name) {
        var id = given().contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks")
                .then()
                .statusCode(201)
                .extract()
                .<String>path("id");
        return UUID.fromString(id);
    }

    private static List<String> names(ExtractableResponse<Response> page) {
        return new ArrayList<>(page.<List<String>>path("name"));
    }

    private static String next(ExtractableResponse<Response> page) {
        var link = page.header("Link");
        assertThat(link).as("Link header").isNotNull();
        var matcher = NEXT.matcher(link);
        assertThat(matcher.find()).as("rel=next in " + link).isTrue();
        return matcher.group(1);
    }
}
