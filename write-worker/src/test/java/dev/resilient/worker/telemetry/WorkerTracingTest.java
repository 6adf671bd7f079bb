package dev.resilient.worker.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.worker.testing.WorkerTestBase;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * A deferred write's trace goes on in the worker: its consume span joins the trace the API's request started, and the
 * batch transaction that applied it links back to that consume span.
 */
@QuarkusTest
class WorkerTracingTest extends WorkerTestBase {

    /** As api-service's publish span writes it into the message (W3C trace context). */
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static final String PUBLISH_SPAN_ID = "00f067aa0ba902b7";

    @Inject
    InMemorySpanExporter spans;

    @Test
    void theConsumeSpanOfADeferredWriteJoinsThePublishersTrace() throws Exception {
        spans.reset();
        var deferred = defer(create("traced across services"));
        broker.publishRaw(
                json.writeValueAsBytes(deferred),
                deferred.operationId().toString(),
                Map.of("traceparent", "00-" + TRACE_ID + "-" + PUBLISH_SPAN_ID + "-01"));

        assertThat(awaitFinal(deferred.operationId()).status()).isEqualTo(Status.COMPLETED);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spans.getFinishedSpanItems())
                .filteredOn(span -> span.getKind() == SpanKind.CONSUMER)
                .anySatisfy(span -> {
                    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
                    assertThat(span.getParentSpanId()).isEqualTo(PUBLISH_SPAN_ID);
                }));
    }

    @Test
    void aRetriedWriteStaysInItsTraceThroughTheWaitQueues() throws Exception {
        spans.reset();
        // Refused by PostgreSQL (no name): delivered once, then again from each of the three retry queues.
        var deferred = defer(new TaskWrite.CreateTask(UUID.randomUUID(), null, TaskStatus.PENDING, Instant.now()));
        broker.publishRaw(
                json.writeValueAsBytes(deferred),
                deferred.operationId().toString(),
                Map.of("traceparent", "00-" + TRACE_ID + "-" + PUBLISH_SPAN_ID + "-01"));

        assertThat(awaitFinal(deferred.operationId()).status()).isEqualTo(Status.FAILED);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spans.getFinishedSpanItems())
                .filteredOn(span -> span.getKind() == SpanKind.CONSUMER)
                .filteredOn(span -> span.getTraceId().equals(TRACE_ID))
                .as("the first delivery and the three retries")
                .hasSize(4));
        // Each retry is a child of the publish that sent it down a wait queue, itself a child of the attempt before.
        var trace = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(TRACE_ID))
                .toList();
        var reroutes = trace.stream()
                .filter(span -> span.getKind() == SpanKind.PRODUCER)
                .map(SpanData::getSpanId)
                .toList();
        assertThat(reroutes).as("three retries, then the dead-letter queue").hasSize(4);
        assertThat(trace)
                .filteredOn(span -> span.getKind() == SpanKind.CONSUMER)
                .extracting(SpanData::getParentSpanId)
                .as("the first delivery continues the API's publish, each retry the worker's reroute")
                .contains(PUBLISH_SPAN_ID)
                .doesNotHaveDuplicates()
                .allMatch(parent -> parent.equals(PUBLISH_SPAN_ID) || reroutes.contains(parent));
    }

    @Test
    void theBatchTransactionLinksTheWritesItAppliedAndParentsItsStatements() throws Exception {
        spans.reset();
        var traces = new ArrayList<String>();
        var operations = new ArrayList<UUID>();
        for (int i = 0; i < 3; i++) {
            var deferred = defer(create("batched " + i));
            var traceId = UUID.randomUUID().toString().replace("-", "");
            broker.publishRaw(
                    json.writeValueAsBytes(deferred),
                    deferred.operationId().toString(),
                    Map.of("traceparent", "00-" + traceId + "-" + PUBLISH_SPAN_ID + "-01"));
            traces.add(traceId);
            operations.add(deferred.operationId());
        }
        for (var operation : operations) {
            assertThat(awaitFinal(operation).status()).isEqualTo(Status.COMPLETED);
        }

        for (var traceId : traces) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                var all = spans.getFinishedSpanItems();
                var consume = all.stream()
                        .filter(span -> span.getKind() == SpanKind.CONSUMER
                                && span.getTraceId().equals(traceId))
                        .findFirst();
                assertThat(consume).as("the write's consume span").isPresent();
                var batch = all.stream()
                        .filter(span -> span.getName().equals("apply deferred writes"))
                        .filter(span -> span.getLinks().stream().anyMatch(link -> link.getSpanContext()
                                .equals(consume.get().getSpanContext())))
                        .findFirst();
                assertThat(batch).as("a batch span linking the consume span").isPresent();
                assertThat(batch.get().getTraceId()).as("a trace of its own").isNotEqualTo(traceId);
                assertThat(all)
                        .filteredOn(span -> span.getKind() == SpanKind.CLIENT)
                        .filteredOn(span ->
                                span.getParentSpanId().equals(batch.get().getSpanId()))
                        .as("the transaction's PostgreSQL statements")
                        .isNotEmpty()
                        .allSatisfy(statement -> assertThat(
                                        statement.getAttributes().asMap().keySet())
                                .anyMatch(key -> key.getKey().startsWith("db.")));
            });
        }
    }
}
