package dev.resilient.task.telemetry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.DelayQueueProbe;
import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.ProxiedDependencies;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.restassured.http.ContentType;

/** The spans an operator finds for a request: one trace from the HTTP server span down to every dependency call. */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class TracingTest extends OutageTestBase {

    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation");
    private static final AttributeKey<String> DB_TABLE = AttributeKey.stringKey("db.sql.table");
    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");

    @Inject
    InMemorySpanExporter spans;

    @BeforeEach
    void forgetEarlierSpans() {
        spans.reset();
    }

    @Test
    void aSynchronousCreateIsOneTraceFromTheServerSpanToPostgresAndRedis() {
        post("traced").then().statusCode(201);

        var server = awaitServerSpan("/tasks", 201);
        var trace = inTrace(server);
        assertThat(trace)
                .filteredOn(span -> span.getKind() == SpanKind.CLIENT)
                .as("PostgreSQL: the insert of the task")
                .anySatisfy(span -> {
                    assertThat(span.getAttributes().get(DB_OPERATION)).isEqualTo("INSERT");
                    assertThat(span.getAttributes().get(DB_TABLE)).isEqualTo("tasks");
                })
                .as("Redis: the idempotency record")
                .anySatisfy(
                        span -> assertThat(span.getAttributes().get(DB_SYSTEM)).isEqualTo("redis"));
    }

    @Test
    void aReadIsNamedByItsRouteTemplateNotByTheIdItAskedFor() {
        var id = UUID.randomUUID();
        given().get("/tasks/{id}", id).then().statusCode(404);

        var server = awaitServerSpan("/tasks/{id}", 404);
        assertThat(server.getName()).isEqualTo("GET /tasks/{id}").doesNotContain(id.toString());
    }

    @Test
    void aDeferredWriteCarriesItsTraceIntoTheMessageItPublishes() throws Exception {
        try (var probe = new DelayQueueProbe()) {
            ProxiedDependencies.postgres().refuse();

            var operation = post("deferred").then().statusCode(202).extract().<String>path("id");

            var server = awaitServerSpan("/tasks", 202);
            assertThat(inTrace(server))
                    .filteredOn(span -> span.getKind() == SpanKind.PRODUCER)
                    .singleElement()
                    .satisfies(span -> assertThat(span.getAttributes().get(MESSAGING_SYSTEM))
                            .isEqualTo("rabbitmq"));
            var delivered = probe.awaitMessageOf(operation);
            var traceparent = String.valueOf(delivered.getProps().getHeaders().get("traceparent"));
            assertThat(traceparent)
                    .as("W3C trace context of the request, for the worker to continue")
                    .startsWith("00-" + server.getTraceId() + "-");
        } finally {
            ProxiedDependencies.postgres().pass();
        }
    }

    private static io.restassured.response.Response post(String name) {
        return given().header("Idempotency-Key", UUID.randomUUID().toString())
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks");
    }

    private SpanData awaitServerSpan(String route, int status) {
        var found = new AtomicReference<SpanData>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getKind() == SpanKind.SERVER)
                    .filter(span -> route.equals(span.getAttributes().get(ROUTE)))
                    .filter(span ->
                            Long.valueOf(status).equals(span.getAttributes().get(STATUS)))
                    .findFirst()
                    .ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    /** The spans of the server span's trace, once its children have ended too (they end before it). */
    private List<SpanData> inTrace(SpanData server) {
        return spans.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(server.getTraceId()))
                .toList();
    }
}
