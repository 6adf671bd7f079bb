package dev.resilient.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.messaging.MessagingConfig;
import dev.resilient.shared.persistence.TaskWriter;
import dev.resilient.worker.config.WorkerConfig;
import dev.resilient.worker.resilience.WorkerGuards;
import dev.resilient.worker.resilience.WriteRejectedException;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgException;

/**
 * Batching, without PostgreSQL: each write's outcome reaches its own caller once its batch is done, a batch PostgreSQL
 * cannot take fails every write of it, and a batch one write spoils is applied one by one so only that write fails.
 */
@Tag("unit")
class WriteBatcherTest {

    private static final Duration LONG_LINGER = Duration.ofSeconds(30);

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeWriter writer = new FakeWriter();

    @AfterEach
    void closeVertx() {
        vertx.closeAndAwait();
    }

    @Test
    void eachWriteGetsItsOwnOutcomeOnceItsBatchIsFull() throws Exception {
        var batcher = batcher(3, LONG_LINGER);
        var writes = List.of(write(), write(), write());

        var results = writes.stream().map(write -> start(batcher, write)).toList();

        for (int i = 0; i < writes.size(); i++) {
            assertThat(results.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(outcomeOf(writes.get(i)));
        }
        assertThat(writer.batches).containsExactly(writes);
        assertThat(registry.get("tasks.worker.batch.size").summary().count()).isOne();
    }

    @Test
    void aLoneWriteGoesOnceTheLingerIsOver() throws Exception {
        var batcher = batcher(64, Duration.ofMillis(20));
        var write = write();

        assertThat(start(batcher, write).get(5, TimeUnit.SECONDS)).isEqualTo(outcomeOf(write));
        assertThat(writer.batches).containsExactly(List.of(write));
    }

    @Test
    void aBatchPostgresCannotTakeFailsEveryWriteOfItAndIsNotSplit() {
        writer.batchFailure = new ConnectException("Connection refused");
        var batcher = batcher(2, LONG_LINGER);

        var first = start(batcher, write());
        var second = start(batcher, write());

        assertThat(failureOf(first)).isSameAs(writer.batchFailure);
        assertThat(failureOf(second)).isSameAs(writer.batchFailure);
        assertThat(writer.alone).isEmpty();
    }

    @Test
    void aBatchOneWriteSpoilsIsAppliedOneByOneSoOnlyThatWriteFails() throws Exception {
        var refused = new PgException("null value in column", "ERROR", "23502", null);
        writer.batchFailure = refused;
        var bad = write();
        writer.refusedAlone = bad;
        var batcher = batcher(3, LONG_LINGER);
        var good = write();
        var alsoGood = write();

        var badResult = start(batcher, bad);
        var goodResult = start(batcher, good);
        var alsoGoodResult = start(batcher, alsoGood);

        assertThat(goodResult.get(5, TimeUnit.SECONDS)).isEqualTo(outcomeOf(good));
        assertThat(alsoGoodResult.get(5, TimeUnit.SECONDS)).isEqualTo(outcomeOf(alsoGood));
        assertThat(failureOf(badResult))
                .isInstanceOf(WriteRejectedException.class)
                .hasCause(refused);
        assertThat(writer.alone).containsExactlyInAnyOrder(bad, good, alsoGood);
    }

    private WriteBatcher batcher(int size, Duration linger) {
        var config = (WorkerConfig) Proxy.newProxyInstance(
                WorkerConfig.class.getClassLoader(),
                new Class<?>[] {WorkerConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "batchSize" -> size;
                    case "batchLinger" -> linger;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        var messaging = (MessagingConfig) Proxy.newProxyInstance(
                MessagingConfig.class.getClassLoader(),
                new Class<?>[] {MessagingConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "retries" -> 3;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        var tracer = OpenTelemetry.noop().getTracer("test");
        // The guards without their interceptor: only their classification of failures.
        return new WriteBatcher(
                writer, new WorkerGuards(), vertx, config, new WorkerMetrics(registry, messaging), tracer);
    }

    private static CompletableFuture<WriteOutcome> start(WriteBatcher batcher, TaskWriter.Deferred write) {
        return batcher.apply(write, SpanContext.getInvalid()).subscribeAsCompletionStage();
    }

    private static Throwable failureOf(CompletableFuture<WriteOutcome> result) {
        try {
            result.get(5, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static TaskWriter.Deferred write() {
        var create = new TaskWrite.CreateTask(UUID.randomUUID(), "task", TaskStatus.PENDING, Instant.now());
        return new TaskWriter.Deferred(UUID.randomUUID(), create, 1);
    }

    /** A distinct outcome per write, so that a mix-up shows. */
    private static WriteOutcome outcomeOf(TaskWriter.Deferred write) {
        return new WriteOutcome.NotFound(write.operationId());
    }

    /** Answers at once, from the calling thread; records what it was asked to apply. */
    private static final class FakeWriter extends TaskWriter {

        final List<List<TaskWriter.Deferred>> batches = new CopyOnWriteArrayList<>();
        final List<TaskWriter.Deferred> alone = new CopyOnWriteArrayList<>();
        volatile Throwable batchFailure;
        volatile TaskWriter.Deferred refusedAlone;

        FakeWriter() {
            super(null, null, null);
        }

        @Override
        public Uni<List<WriteOutcome>> applyAllOnce(List<Deferred> writes) {
            batches.add(writes);
            if (batchFailure != null) {
                return Uni.createFrom().failure(batchFailure);
            }
            return Uni.createFrom()
                    .item(writes.stream().map(WriteBatcherTest::outcomeOf).toList());
        }

        @Override
        public Uni<WriteOutcome> applyOnce(UUID operationId, TaskWrite write, long place) {
            var deferred = new TaskWriter.Deferred(operationId, write, place);
            alone.add(deferred);
            if (deferred.equals(refusedAlone)) {
                return Uni.createFrom().failure(batchFailure);
            }
            return Uni.createFrom().item(outcomeOf(deferred));
        }
    }
}
