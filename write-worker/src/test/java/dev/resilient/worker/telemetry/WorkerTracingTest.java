package dev.resilient.worker.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.OperationState.Status;
import dev.resilient.worker.testing.WorkerTestBase;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/** A deferred write's trace goes on in the worker: its consume span joins the trace the API's request started. */
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
        spans.getFinishedSpanItems()
                .forEach(s -> System.out.println("SPAN " + s.getKind() + " " + s.getName() + " trace=" + s.getTraceId()
                        + " parent=" + s.getParentSpanId()));
    }
}
