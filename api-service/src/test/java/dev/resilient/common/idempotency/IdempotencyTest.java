package dev.resilient.common.idempotency;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.testsupport.Tokens;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Safe retries (docs/design.md section 3) against the real local Redis and PostgreSQL. */
@QuarkusTest
class IdempotencyTest {

    private static final String KEY_HEADER = "Idempotency-Key";
    private static final String REPLAYED = "Idempotent-Replayed";
    private static final String PREFIX = "tasks-test:idempotency:";

    @Inject
    TaskRows rows;

    @Inject
    RedisDataSource redis;

    @TestHTTPResource("/tasks")
    URI tasksUri;

    @BeforeEach
    @AfterEach
    void cleanUp() {
        rows.deleteAll();
        var keys = redis.key().keys(PREFIX + "*");
        if (!keys.isEmpty()) {
            redis.key().del(keys.toArray(String[]::new));
        }
    }

    @Test
    void aRetriedPostReplaysTheFirstResponseExactlyAndCreatesOneTask() {
        var key = newKey();

        var first = post(key, "{\"name\":\"Read a book\"}");
        var retry = post(key, "{\"name\":\"Read a book\"}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.header(REPLAYED)).isNull();
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
        assertThat(retry.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
        assertThat(retry.header("ETag")).isEqualTo(first.header("ETag"));
        assertThat(retry.header("Last-Modified")).isEqualTo(first.header("Last-Modified"));
        assertThat(retry.contentType()).isEqualTo(first.contentType());
        assertThat(rows.count()).isEqualTo(1);
    }

    @Test
    void aRetriedPutReplaysAndAppliesOnce() {
        var id = createTask();
        var key = newKey();

        var first = put(key, id, "{\"status\":\"completed\"}");
        var retry = put(key, id, "{\"status\":\"completed\"}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.header("ETag")).isEqualTo("\"2\"");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
        assertThat(retry.header("ETag")).isEqualTo("\"2\"");
        assertThat(retry.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(rows.byId(id)).containsEntry("version", "2");
    }

    @Test
    void aRetriedDeleteReplays204InsteadOf404() {
        var id = createTask();
        var key = newKey();

        given().header(KEY_HEADER, key).delete("/tasks/{id}", id).then().statusCode(204);
        given().header(KEY_HEADER, key)
                .delete("/tasks/{id}", id)
                .then()
                .statusCode(204)
                .header(REPLAYED, "true");
        given().header(KEY_HEADER, newKey()).delete("/tasks/{id}", id).then().statusCode(404);

        assertThat(rows.byId(id)).isNull();
    }

    @Test
    void aRejectedWriteIsStoredAndReplayedToo() {
        var key = newKey();

        var first = post(key, "{\"name\":\"\"}");
        var retry = post(key, "{\"name\":\"\"}");

        assertThat(first.statusCode()).isEqualTo(400);
        assertThat(retry.statusCode()).isEqualTo(400);
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
        assertThat(retry.contentType()).isEqualTo("application/problem+json");
        assertThat(retry.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(rows.count()).isZero();
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndAppliesNothing() {
        var key = newKey();
        var mismatchesBefore = metric("tasks_idempotency_mismatches_total");
        post(key, "{\"name\":\"first\"}").then().statusCode(201);

        post(key, "{\"name\":\"second\"}")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("detail", containsString("different request body"));

        assertThat(rows.count()).isEqualTo(1);
        assertThat(rows.all().get(0)).containsEntry("name", "first");
        assertThat(metric("tasks_idempotency_mismatches_total")).isEqualTo(mismatchesBefore + 1);
    }

    @Test
    void theSameKeyOnAnotherRouteIsIndependent() {
        var key = newKey();
        var id = UUID.fromString(
                post(key, "{\"name\":\"a\"}").then().statusCode(201).extract().path("id"));

        put(key, id, "{\"name\":\"a\"}").then().statusCode(200).header(REPLAYED, nullValue());
        given().header(KEY_HEADER, key)
                .delete("/tasks/{id}", id)
                .then()
                .statusCode(204)
                .header(REPLAYED, nullValue());

        assertThat(rows.count()).isZero();
    }

    @Test
    void theLegacyHeaderNamesTheSameKey() {
        var key = newKey();
        var replaysBefore = metric("tasks_idempotency_replays_total");

        var first = given().header("X-Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks");
        var retry = post(key, "{\"name\":\"a\"}");

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.header(REPLAYED)).isEqualTo("true");
        assertThat(retry.asByteArray()).isEqualTo(first.asByteArray());
        assertThat(rows.count()).isEqualTo(1);
        assertThat(metric("tasks_idempotency_replays_total")).isEqualTo(replaysBefore + 1);
    }

    @Test
    void aQuotedStructuredFieldKeyIsTheSameKeyAsItsBareValue() {
        var key = newKey();

        post("\"" + key + "\"", "{\"name\":\"a\"}").then().statusCode(201);
        post(key, "{\"name\":\"a\"}").then().statusCode(201).header(REPLAYED, "true");
    }

    @Test
    void aWriteWithoutAKeyIs400SayingWhatAKeyLooksLike() {
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", hasItem(KEY_HEADER))
                .body("errors.message", hasItem(containsString("visible ASCII")));
        var id = createTask();
        given().delete("/tasks/{id}", id).then().statusCode(400);
        given().contentType(ContentType.JSON)
                .body("{\"name\":\"b\"}")
                .put("/tasks/{id}", id)
                .then()
                .statusCode(400);

        assertThat(rows.count()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\"\"", "has space", "tab\there", "caf\u00e9"})
    void aMalformedKeyIs400(String key) {
        given().header(KEY_HEADER, key)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post("/tasks")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem(KEY_HEADER));

        assertThat(rows.count()).isZero();
    }

    @Test
    void aKeyOver255CharactersIs400AndOf255IsAccepted() {
        post("k".repeat(256), "{\"name\":\"a\"}").then().statusCode(400).body("errors.field", hasItem(KEY_HEADER));
        post("k".repeat(255), "{\"name\":\"a\"}").then().statusCode(201);
    }

    @Test
    void readsNeedNoKey() {
        var id = createTask();

        given().get("/tasks").then().statusCode(200);
        given().get("/tasks/{id}", id).then().statusCode(200);
    }

    @Test
    void concurrentDuplicatesCreateExactlyOneTaskAndAllGetItsResponseOr409() throws Exception {
        var key = newKey();
        var client = HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(tasksUri)
                .header("Content-Type", "application/json")
                .header(KEY_HEADER, key)
                .header("Authorization", "Bearer " + Tokens.standard())
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"only once\"}"))
                .build();

        var calls = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 20; i++) {
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get();

        assertThat(rows.count()).isEqualTo(1);
        var created = calls.stream()
                .map(CompletableFuture::join)
                .filter(response -> response.statusCode() == 201)
                .toList();
        assertThat(created).isNotEmpty();
        assertThat(created)
                .extracting(HttpResponse::body)
                .containsOnly(created.get(0).body());
        assertThat(created)
                .filteredOn(response -> response.headers().firstValue(REPLAYED).isEmpty())
                .hasSize(1);
        for (var call : calls) {
            var response = call.join();
            assertThat(response.statusCode()).isIn(201, 409);
            if (response.statusCode() == 409) {
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
            }
        }
    }

    @Test
    void aDuplicateOfARequestStillInFlightWaitsThenGets409WithRetryAfter() throws Exception {
        var key = newKey();
        var body = "{\"name\":\"slow\"}";
        // Another instance holds the key for a request it is still running (same body, so it is a true duplicate).
        var claim = IdempotencyRecord.inFlight("other-instance", sha256Hex(body));
        redis.value(String.class)
                .set(
                        IdempotencyFilters.redisKey(PREFIX, Tokens.SUBJECT, "POST", "/tasks", key),
                        "{\"claim\":\"" + claim.claim() + "\",\"fingerprint\":\"" + claim.fingerprint() + "\"}");
        var conflictsBefore = metric("tasks_idempotency_conflicts_total");

        post(key, body)
                .then()
                .statusCode(409)
                .header("Retry-After", "1")
                .contentType("application/problem+json")
                .body("detail", containsString("still being processed"));

        assertThat(rows.count()).isZero();
        assertThat(metric("tasks_idempotency_conflicts_total")).isEqualTo(conflictsBefore + 1);
    }

    private static String newKey() {
        return UUID.randomUUID().toString();
    }

    private static Response post(String key, String body) {
        return given().header(KEY_HEADER, key)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/tasks");
    }

    private static Response put(String key, UUID id, String body) {
        return given().header(KEY_HEADER, key)
                .contentType(ContentType.JSON)
                .body(body)
                .put("/tasks/{id}", id);
    }

    private static UUID createTask() {
        return UUID.fromString(post(newKey(), "{\"name\":\"existing\"}")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }

    static double metric(String name) {
        var scrape =
                management().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(scrape, sample -> sample.name().equals(name));
    }

    private static String sha256Hex(String text) throws NoSuchAlgorithmException {
        var digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }
}
