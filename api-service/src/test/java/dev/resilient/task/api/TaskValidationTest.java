package dev.resilient.task.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.FreshIdempotencyKeys;
import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.Tokens;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

/**
 * Bad input of every kind gets a clear 4xx problem detail naming what is wrong, changes nothing, and never leaks an
 * internal name.
 */
@QuarkusTest
class TaskValidationTest {

    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String INVALID_REQUEST = "urn:resilient-tasks:problem:invalid-request";
    /** What an internal error text would look like: a class, a package, a stack frame. */
    private static final String LEAK = "(?is).*(exception|java\\.|jakarta\\.|com\\.fasterxml|org\\.|io\\.quarkus"
            + "|io\\.vertx|dev\\.resilient|\\bat [a-z]+\\.|sql|hibernate).*";

    @Inject
    TaskRows rows;

    @TestHTTPResource("/")
    URL root;

    private UUID existing;

    @BeforeEach
    void oneTask() {
        rows.deleteAll();
        FreshIdempotencyKeys.install();
        existing = UUID.fromString(given().contentType(ContentType.JSON)
                .body(Map.of("name", "existing"))
                .post("/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }

    @AfterEach
    void emptyTable() {
        FreshIdempotencyKeys.remove();
        rows.deleteAll();
    }

    /** Bodies both POST and PUT reject, with the field and a fragment of the message the client gets. */
    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("{\"name\":\"\"}", "name", "must not be blank"),
                Arguments.of("{\"name\":\"   \"}", "name", "must not be blank"),
                Arguments.of("{\"name\":\"" + "a".repeat(256) + "\"}", "name", "at most 255 characters"),
                Arguments.of("{\"name\":\"a\\u0000b\"}", "name", "control characters"),
                Arguments.of("{\"name\":\"tab\\there\"}", "name", "control characters"),
                Arguments.of("{\"name\":\"a\\ud800\"}", "name", "invalid Unicode"),
                Arguments.of("{\"name\":null}", "name", "must not be null"),
                Arguments.of("{\"name\":123}", "name", "must be a string"),
                Arguments.of("{\"name\":true}", "name", "must be a string"),
                Arguments.of("{\"name\":[\"a\"]}", "name", "must be a string"),
                Arguments.of("{\"name\":{}}", "name", "must be a string"),
                Arguments.of("{\"name\":\"a\",\"status\":\"done\"}", "status", "pending, in_progress, completed"),
                Arguments.of("{\"name\":\"a\",\"status\":\"PENDING\"}", "status", "pending, in_progress"),
                Arguments.of("{\"name\":\"a\",\"status\":\"\"}", "status", "must be one of"),
                Arguments.of("{\"name\":\"a\",\"status\":1}", "status", "must be one of"),
                Arguments.of("{\"name\":\"a\",\"status\":null}", "status", "must not be null"),
                Arguments.of("{\"name\":\"a\",\"id\":\"" + UUID.randomUUID() + "\"}", "id", "not a writable field"),
                Arguments.of("{\"name\":\"a\",\"createdAt\":\"2020-01-01T00:00:00Z\"}", "createdAt", "not a writable"),
                Arguments.of("{\"name\":\"a\",\"updatedAt\":\"2020-01-01T00:00:00Z\"}", "updatedAt", "not a writable"),
                Arguments.of("{\"name\":\"a\",\"priority\":1}", "priority", "writable: name, status"),
                Arguments.of("[]", "body", "must be a JSON object"),
                Arguments.of("[{\"name\":\"a\"}]", "body", "must be a JSON object"),
                Arguments.of("\"a\"", "body", "must be a JSON object"),
                Arguments.of("42", "body", "must be a JSON object"),
                Arguments.of("null", "body", "a JSON body is required"),
                Arguments.of("", "body", "a JSON body is required"));
    }

    /** Bodies that are not JSON at all: no field to name, the detail says where parsing failed. */
    static Stream<String> malformedBodies() {
        return Stream.of(
                "{\"name\":\"a\",",
                "{name: \"a\"}",
                "{\"name\":\"a\"} trailing",
                "{\"name\":\"a\",\"name\":\"b\"}",
                "{'name':'a'}",
                "\u0000");
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void createRejectsABadBodyNamingTheField(String body, String field, String message) {
        var before = rows.all();

        expectInvalid(given().contentType(ContentType.JSON).body(body).when().post("/tasks"))
                .body("errors.find { it.field == '" + field + "' }.message", containsString(message));

        assertThat(rows.all()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void updateRejectsABadBodyNamingTheField(String body, String field, String message) {
        var before = rows.all();

        expectInvalid(given().contentType(ContentType.JSON).body(body).when().put("/tasks/{id}", existing))
                .body("errors.find { it.field == '" + field + "' }.message", containsString(message));

        assertThat(rows.all()).isEqualTo(before);
    }

    @ParameterizedTest
    @MethodSource("malformedBodies")
    void malformedJsonIsA400ThatSaysWhere(String body) {
        var before = rows.all();

        expectInvalid(given().contentType(ContentType.JSON).body(body).when().post("/tasks"))
                .body("detail", containsString("not well-formed JSON"));
        expectInvalid(given().contentType(ContentType.JSON).body(body).when().put("/tasks/{id}", existing))
                .body("detail", containsString("not well-formed JSON"));

        assertThat(rows.all()).isEqualTo(before);
    }

    @Test
    void createRequiresAName() {
        expectInvalid(given().contentType(ContentType.JSON)
                        .body("{\"status\":\"pending\"}")
                        .post("/tasks"))
                .body("errors.find { it.field == 'name' }.message", equalTo("is required"));
        assertThat(rows.count()).isEqualTo(1);
    }

    @Test
    void updateRequiresAtLeastOneField() {
        var before = rows.all();

        expectInvalid(given().contentType(ContentType.JSON).body("{}").put("/tasks/{id}", existing))
                .body("errors.field", hasItem("body"))
                .body("errors.message", hasItem("must change at least one of: name, status"));

        assertThat(rows.all()).isEqualTo(before);
    }

    @Test
    void aNameOf255CharactersOutsideTheBasicPlaneIsAccepted() {
        var name = "\uD83D\uDE00".repeat(255); // 255 code points, 510 UTF-16 units

        given().contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks")
                .then()
                .statusCode(201)
                .body("name", equalTo(name));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"not-a-uuid", "123", "5b0e8f8a3c554d6e9a592a4b6b0c9d11", "5b0e8f8a-3c55-4d6e-9a59-2a4b6b0c9d1"})
    void aPathIdThatIsNotAUuidIsA400NamingId(String id) {
        var before = rows.all();

        expectInvalid(given().when().get("/tasks/{id}", id))
                .body("errors.find { it.field == 'id' }.message", containsString("must be a UUID"));
        expectInvalid(given().contentType(ContentType.JSON)
                        .body(Map.of("name", "x"))
                        .put("/tasks/{id}", id))
                .body("errors.field", hasItem("id"));
        expectInvalid(given().when().delete("/tasks/{id}", id)).body("errors.field", hasItem("id"));

        assertThat(rows.all()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "\"1", "W/1", "\"1\" \"2\"", "**", "\"a\"b\""})
    void aMalformedIfMatchIsA400NamingTheHeader(String ifMatch) {
        var before = rows.all();

        expectInvalid(given().contentType(ContentType.JSON)
                        .header("If-Match", ifMatch)
                        .body(Map.of("name", "x"))
                        .put("/tasks/{id}", existing))
                .body("errors.find { it.field == 'If-Match' }.message", containsString("entity tags"));
        expectInvalid(given().header("If-Match", ifMatch).delete("/tasks/{id}", existing))
                .body("errors.field", hasItem("If-Match"));

        assertThat(rows.all()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotJsonIs415() {
        var before = rows.all();

        expectProblem(given().contentType(ContentType.TEXT).body("name=a").post("/tasks"), 415)
                .body("detail", containsString("application/json"));
        expectProblem(given().contentType("application/xml").body("<name/>").put("/tasks/{id}", existing), 415);
        expectProblem(given().body("{\"name\":\"a\"}".getBytes()).post("/tasks"), 415);
        expectProblem(given().contentType(ContentType.URLENC).body("name=a").post("/tasks"), 415);
        expectProblem(
                given().contentType("multipart/form-data; boundary=x")
                        .body("--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\na\r\n--x"
                                .getBytes(StandardCharsets.UTF_8))
                        .put("/tasks/{id}", existing),
                415);

        assertThat(rows.all()).isEqualTo(before);
    }

    @Test
    void anOversizedBodyIs413() {
        var before = rows.all();
        var body = "{\"name\":\"" + "a".repeat(20_000) + "\"}";

        expectProblem(given().contentType(ContentType.JSON).body(body).post("/tasks"), 413)
                .body("detail", containsString("limit of 16384 bytes"));
        expectProblem(given().contentType(ContentType.JSON).body(body).put("/tasks/{id}", existing), 413);

        assertThat(rows.all()).isEqualTo(before);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        var before = rows.all();
        var body = "{\"name\":\"" + "a".repeat(20_000) + "\"}";
        // Sent over HTTP/1.1 from a stream of unknown length: chunked, no Content-Length to refuse it by.
        var request = raw("/tasks")
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();

        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith(PROBLEM_JSON));
        assertThat(response.body()).contains("16384 bytes").doesNotMatch(LEAK);
        assertThat(rows.all()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "a/b/c", "json", "application/json/extra"})
    void aContentTypeThatIsNotAMediaTypeIs400NamingIt(String contentType) throws Exception {
        var before = rows.all();
        var request = raw("/tasks")
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"a\"}"))
                .build();

        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"Content-Type\"").doesNotMatch(LEAK);
        assertThat(rows.all()).isEqualTo(before);
    }

    @Test
    void anAcceptThatIsNotAMediaTypeIs400NamingIt() {
        expectInvalid(given().header("Accept", "a/b/c").when().get("/tasks/{id}", existing))
                .body("errors.field", hasItem("Accept"));
    }

    @Test
    void aDeleteWithABodyIs400AndDeletesNothing() throws Exception {
        var request = raw("/tasks/" + existing)
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"really\":true}"))
                .build();

        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"body\"").doesNotMatch(LEAK);
        assertThat(rows.byId(existing)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nothing", "/tasks/a/b", "/task"})
    void anUnknownRouteIs404(String path) {
        expectProblem(given().when().get(path), 404).body("instance", equalTo(path));
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        expectProblem(given().when().patch("/tasks"), 405).header("Allow", "GET, POST, DELETE");
        expectProblem(given().when().put("/tasks"), 405).header("Allow", "GET, POST, DELETE");
        expectProblem(given().contentType(ContentType.JSON).body("{}").post("/tasks/{id}", existing), 405)
                .header("Allow", "GET, PUT, DELETE");
        assertThat(rows.count()).isEqualTo(1);
    }

    @Test
    void anUnacceptableAcceptIs406() {
        expectProblem(given().accept("text/html").when().get("/tasks"), 406);
    }

    /**
     * A request the JDK's client sends as given (RestAssured would fix up a malformed header or a chunked body), over
     * HTTP/2 unless told otherwise (it asks for the upgrade).
     */
    private HttpRequest.Builder raw(String path) {
        return HttpRequest.newBuilder(URI.create(root.toString().replaceAll("/$", "") + path))
                .header("Authorization", "Bearer " + Tokens.standard())
                .header("Idempotency-Key", UUID.randomUUID().toString());
    }

    private static ValidatableResponse expectInvalid(Response response) {
        return expectProblem(response, 400).body("type", equalTo(INVALID_REQUEST));
    }

    private static ValidatableResponse expectProblem(Response response, int status) {
        var validatable = response.then()
                .statusCode(status)
                .contentType(PROBLEM_JSON)
                .body("status", equalTo(status))
                .body("title", not(nullValue()))
                .body("detail", not(nullValue()));
        assertThat(response.asString()).doesNotMatch(LEAK);
        return validatable;
    }
}
