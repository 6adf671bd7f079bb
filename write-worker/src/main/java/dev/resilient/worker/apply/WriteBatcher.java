package dev.resilient.worker.apply;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;

import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.persistence.TaskWriter;
import dev.resilient.shared.persistence.TaskWriter.Deferred;
import dev.resilient.worker.config.WorkerConfig;
import dev.resilient.worker.resilience.ApplyFailure;
import dev.resilient.worker.resilience.WorkerGuards;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;

/**
 * Groups the writes whose turn has come into one transaction ({@link TaskWriter#applyAllOnce}): a write waits at most
 * {@code tasks.worker.batch-linger} for others to join it, and a batch holds at most {@code tasks.worker.batch-size}
 * (Mutiny's {@code group().intoLists().of(size, linger)}). A transaction per write is what limited draining a backlog;
 * a batch costs about as much as one write. Each write's {@link Uni} completes with its own outcome once its batch has
 * committed, and fails if its batch failed, so a message is acked only after its write is applied.
 *
 * <p>If a batch fails because of one of its writes (PostgreSQL refused it, or something unforeseen: {@link
 * ApplyFailure}), its writes are applied one by one, so the write at fault fails alone and the others still go
 * through. A PostgreSQL that is away (an open breaker, a lost connection, a timeout) fails every write of the batch and
 * {@link DeferredWriteProcessor} decides what becomes of them: after a timeout the batch may still commit ({@code
 * RunToCompletion}), and applying its writes one by one right away would only race it. Every PostgreSQL call goes
 * through the worker's breaker.
 *
 * <p>Tracing: a batch serves writes from many traces, so it cannot be a child of any one of them. Each transaction is a
 * span of its own ({@value #SPAN_NAME}, the root of a new trace, parent of its PostgreSQL statements) with a <em>link</em>
 * to the consume span of every write in it; the write's own trace goes on with its journal update and ack.
 */
@ApplicationScoped
public class WriteBatcher {

    static final String SPAN_NAME = "apply deferred writes";

    /** A write waiting for its batch, and where its outcome goes. */
    private record Waiting(Deferred write, SpanContext origin, UniEmitter<? super WriteOutcome> result) {}

    private final TaskWriter writer;
    private final WorkerGuards guards;
    private final Vertx vertx;
    private final WorkerMetrics metrics;
    private final Tracer tracer;
    private final UnicastProcessor<Waiting> waiting = UnicastProcessor.create();

    public WriteBatcher(
            TaskWriter writer,
            WorkerGuards guards,
            Vertx vertx,
            WorkerConfig config,
            WorkerMetrics metrics,
            Tracer tracer) {
        this.writer = writer;
        this.guards = guards;
        this.vertx = vertx;
        this.metrics = metrics;
        this.tracer = tracer;
        waiting.group()
                .intoLists()
                .of(
                        config.batchSize(),
                        Duration.ofMillis(Math.max(1, config.batchLinger().toMillis())))
                .subscribe()
                .with(this::run, failure -> Log.errorf(failure, "Batching deferred writes stopped"));
    }

    /**
     * The outcome of applying the write, once its batch has committed.
     *
     * @param origin the span that delivered the write (its consume span), linked from the batch's span
     */
    public Uni<WriteOutcome> apply(Deferred write, SpanContext origin) {
        return Uni.createFrom().emitter(result -> waiting.onNext(new Waiting(write, origin, result)));
    }

    /** Never throws: a failure here would end the stream of batches, and every later write would wait forever. */
    private void run(List<Waiting> batch) {
        try {
            metrics.batch(batch.size());
            var writes = batch.stream().map(Waiting::write).toList();
            transaction(batch, () -> guards.postgres(() -> writer.applyAllOnce(writes)))
                    .subscribe()
                    .with(
                            outcomes -> {
                                for (int i = 0; i < batch.size(); i++) {
                                    batch.get(i).result().complete(outcomes.get(i));
                                }
                            },
                            failure -> {
                                if (batch.size() == 1 || ApplyFailure.of(failure) == ApplyFailure.UNAVAILABLE) {
                                    batch.forEach(waiting -> waiting.result().fail(failure));
                                } else {
                                    batch.forEach(this::runAlone);
                                }
                            });
        } catch (RuntimeException e) {
            batch.forEach(waiting -> waiting.result().fail(e));
        }
    }

    private void runAlone(Waiting waiting) {
        var write = waiting.write();
        transaction(
                        List.of(waiting),
                        () -> guards.postgres(
                                () -> writer.applyOnce(write.operationId(), write.write(), write.place())))
                .subscribe()
                .with(waiting.result()::complete, waiting.result()::fail);
    }

    /**
     * Runs a transaction on a Vert.x context of its own: Hibernate Reactive keeps the session in the context, so two
     * transactions started from one context (a timer's, or one failure handler's) would share a session and corrupt it.
     * The context carries the transaction's span, so the PostgreSQL client's spans become its children.
     */
    private <T> Uni<T> transaction(List<Waiting> writes, Supplier<Uni<? extends T>> transaction) {
        return Uni.createFrom().emitter(result -> {
            var span =
                    tracer.spanBuilder(SPAN_NAME).setNoParent().setAttribute("tasks.batch.size", (long) writes.size());
            writes.stream().map(Waiting::origin).filter(SpanContext::isValid).forEach(span::addLink);
            var started = span.startSpan();
            var context =
                    VertxContext.createNewDuplicatedContext(vertx.getDelegate().getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            context.runOnContext(ignored -> {
                var scope = started.makeCurrent();
                // Deferred: a supplier that throws fails the batch instead of leaving its writes waiting.
                Uni.createFrom()
                        .deferred(transaction)
                        .subscribe()
                        .with(
                                item -> {
                                    end(started, scope, null);
                                    result.complete(item);
                                },
                                failure -> {
                                    end(started, scope, failure);
                                    result.fail(failure);
                                });
            });
        });
    }

    private static void end(Span span, Scope scope, Throwable failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.toString());
        }
        span.end();
        scope.close();
    }
}
