package dev.resilient.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.cache.TaskCacheConfig;
import dev.resilient.shared.cache.TaskCacheService;
import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.deferred.DeferredWriteJournal;
import dev.resilient.shared.deferred.DeferredWriteJournal.Turn;
import dev.resilient.shared.messaging.MessagingConfig;
import dev.resilient.shared.messaging.MessagingTopology;
import dev.resilient.shared.persistence.TaskWriter;
import dev.resilient.worker.config.WorkerConfig;
import dev.resilient.worker.messaging.WaitQueues;
import dev.resilient.worker.resilience.WorkerGuards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;
import io.vertx.pgclient.PgException;

/**
 * The order in which the processor carries decisions out, against fakes that record each step: what it hands on is
 * confirmed and recorded before the message is acked, and a message is requeued untouched when handing on fails.
 */
@Tag("unit")
class DeferredWriteProcessorTest {

    private static final Throwable REFUSED = new PgException("null value in column", "ERROR", "23502", null);
    private static final Throwable AWAY = new ConnectException("Connection refused");

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final List<String> steps = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Fakes fakes = new Fakes();

    @Test
    void itsTurnAppliesItRefreshesTheCacheStoresTheFinalStateThenAcks() {
        fakes.turn = Turn.GO;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "cache", "finish COMPLETED", "ack");
        assertThat(counted("completed")).isOne();
    }

    @Test
    void anOlderWriteStillQueuedSendsItToTheHoldQueueThenAcks() {
        fakes.turn = Turn.WAIT;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "hold 1", "ack");
    }

    @Test
    void aWithdrawnPublicationIsAckedAndNothingElse() {
        fakes.turn = Turn.CANCELLED;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "ack");
        assertThat(counted("discarded")).isOne();
    }

    @Test
    void aRefusedWriteGoesToTheRetryQueueThenItsStateThenTheAck() {
        fakes.turn = Turn.GO;
        fakes.applyFailure = REFUSED;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "retry 1", "save PENDING", "ack");
    }

    @Test
    void aRetryQueueThatDoesNotConfirmRequeuesTheMessageUntouched() {
        fakes.turn = Turn.GO;
        fakes.applyFailure = REFUSED;
        fakes.handOnFailure = AWAY;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "retry 1", "nack requeue");
        assertThat(counted("requeued")).isOne();
    }

    @Test
    void withNoRetriesLeftItGoesToTheDeadLetterQueueThenItsFinalStateThenTheAck() {
        fakes.turn = Turn.GO;
        fakes.applyFailure = REFUSED;

        process(processor(0, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "dead-letter", "finish FAILED", "ack");
    }

    @Test
    void anUnforeseenFailureWithNoAttemptsLeftStoresItsFinalStateBeforeTheDeadLetterQueue() {
        fakes.turn = Turn.GO;
        fakes.applyFailure = new IllegalStateException("a bug");

        process(processor(3, 1), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "finish FAILED", "dead-letter", "ack");
    }

    @Test
    void anUnforeseenFailureWithAttemptsLeftIsRequeued() {
        fakes.turn = Turn.GO;
        fakes.applyFailure = new IllegalStateException("a bug");

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "nack requeue");
    }

    @Test
    void aPostgresThatIsAwayPostponesTheWrite() {
        fakes.turn = Turn.GO;
        fakes.applyFailure = AWAY;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("begin", "apply", "postpone 1", "ack");
    }

    @Test
    void aJournalThatIsAwayPostponesTheWriteBeforeOrAfterApplyingIt() {
        fakes.beginFailure = AWAY;
        process(processor(3, 5), message(deferred(Instant.now())));
        assertThat(steps).containsExactly("begin", "postpone 1", "ack");

        steps.clear();
        fakes.beginFailure = null;
        fakes.turn = Turn.GO;
        fakes.finishFailure = AWAY;
        process(processor(3, 5), message(deferred(Instant.now())));
        assertThat(steps).containsExactly("begin", "apply", "cache", "finish COMPLETED", "postpone 1", "ack");
    }

    @Test
    void aWritePastTheHorizonExpiresWithoutAskingForItsTurn() {
        process(processor(3, 5), message(deferred(Instant.now().minus(Duration.ofDays(2)))));

        assertThat(steps).containsExactly("expire FAILED", "ack");
    }

    @Test
    void withoutItsTopologyTheMessageIsRequeuedUnread() {
        fakes.topologyFailure = AWAY;

        process(processor(3, 5), message(deferred(Instant.now())));

        assertThat(steps).containsExactly("nack requeue");
    }

    @Test
    void anUnreadableBodyMarksItsOperationFailedThenIsRejected() {
        var id = UUID.randomUUID();

        process(
                processor(3, 5),
                new FakeMessage(("{\"operationId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)));

        assertThat(steps).containsExactly("save FAILED", "nack reject");
        assertThat(counted("dead_lettered")).isOne();
    }

    private void process(DeferredWriteProcessor processor, FakeMessage message) {
        processor.process(message).await().atMost(Duration.ofSeconds(5));
    }

    private double counted(String outcome) {
        var counter = registry.find("tasks.worker.deferred.writes")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private DeferredTaskWrite deferred(Instant acceptedAt) {
        var write = new TaskWrite.CreateTask(UUID.randomUUID(), "task", TaskStatus.PENDING, acceptedAt);
        return new DeferredTaskWrite(UUID.randomUUID(), write, acceptedAt, 1L, UUID.randomUUID());
    }

    private FakeMessage message(DeferredTaskWrite deferred) {
        try {
            return new FakeMessage(json.writeValueAsBytes(deferred));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private DeferredWriteProcessor processor(int retries, int unexpectedFailureAttempts) {
        var limits = new DeferredWriteRules.Limits(
                retries,
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), 0.25),
                Duration.ofMillis(100),
                600,
                unexpectedFailureAttempts,
                Duration.ofHours(24));
        var metrics = new WorkerMetrics(registry, config(MessagingConfig.class));
        return new DeferredWriteProcessor(
                new DeferredWriteRules(limits, () -> 0.5),
                json,
                fakes.topology(),
                fakes.journal(json),
                fakes.batcher(metrics),
                fakes.cache(registry),
                fakes.queues(),
                new WorkerGuards(),
                metrics);
    }

    /** A configuration whose values the fakes need: batching (batch of one), retries, the cache's TTL. */
    @SuppressWarnings("unchecked")
    private static <T> T config(Class<T> type) {
        return (T) Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> switch (method.getName()) {
                    case "batchSize", "retries" -> 1;
                    case "batchLinger" -> Duration.ofMillis(1);
                    case "ttl" -> Duration.ofHours(1);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The processor's collaborators, each recording its step; what they answer is set per test. */
    private final class Fakes {
        volatile Turn turn;
        volatile Throwable topologyFailure;
        volatile Throwable beginFailure;
        volatile Throwable applyFailure;
        volatile Throwable finishFailure;
        volatile Throwable handOnFailure;

        MessagingTopology topology() {
            return new MessagingTopology(null, null, "localhost", 5672, Optional.empty(), "guest", "guest") {
                @Override
                public Uni<Void> ready() {
                    return topologyFailure == null
                            ? Uni.createFrom().voidItem()
                            : Uni.createFrom().failure(topologyFailure);
                }
            };
        }

        DeferredWriteJournal journal(ObjectMapper json) {
            return new DeferredWriteJournal(null, null, json) {
                @Override
                public Uni<Turn> begin(
                        DeferredWriteState inProgress, TaskWrite write, UUID publicationId, boolean giveUp) {
                    return step("begin", beginFailure).replaceWith(turn);
                }

                @Override
                public Uni<Void> save(DeferredWriteState state) {
                    return step("save " + state.status(), null);
                }

                @Override
                public Uni<Void> finish(DeferredWriteState last, TaskWrite write) {
                    return step("finish " + last.status(), finishFailure);
                }

                @Override
                public Uni<Void> expire(DeferredWriteState expired, TaskWrite write) {
                    return step("expire " + expired.status(), null);
                }
            };
        }

        WriteBatcher batcher(WorkerMetrics metrics) {
            return new WriteBatcher(
                    null,
                    null,
                    null,
                    config(WorkerConfig.class),
                    metrics,
                    io.opentelemetry.api.OpenTelemetry.noop().getTracer("test")) {
                @Override
                public Uni<WriteOutcome> apply(TaskWriter.Deferred write, SpanContext origin) {
                    return step("apply", applyFailure).replaceWith(new WriteOutcome.Deleted());
                }
            };
        }

        TaskCacheService cache(SimpleMeterRegistry registry) {
            return new TaskCacheService(null, config(TaskCacheConfig.class), registry) {
                @Override
                public void written(TaskWrite write, WriteOutcome outcome) {
                    steps.add("cache");
                }
            };
        }

        WaitQueues queues() {
            return new WaitQueues(null, null) {
                @Override
                public Uni<Void> retry(Message<byte[]> original, int retry, Duration delay) {
                    return step("retry " + retry, handOnFailure);
                }

                @Override
                public Uni<Void> hold(Message<byte[]> original, int holds, Duration delay) {
                    return step("hold " + holds, handOnFailure);
                }

                @Override
                public Uni<Void> postpone(Message<byte[]> original, int postponed, Duration delay) {
                    return step("postpone " + postponed, handOnFailure);
                }

                @Override
                public Uni<Void> deadLetter(Message<byte[]> original, String reason) {
                    return step("dead-letter", handOnFailure);
                }
            };
        }

        private Uni<Void> step(String name, Throwable failure) {
            return Uni.createFrom().deferred(() -> {
                steps.add(name);
                return failure == null
                        ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(failure);
            });
        }
    }

    /** A delivery without broker metadata (no counters: a first delivery); records its ack or nack. */
    private final class FakeMessage implements Message<byte[]> {
        private final byte[] payload;

        FakeMessage(byte[] payload) {
            this.payload = payload;
        }

        @Override
        public byte[] getPayload() {
            return payload;
        }

        @Override
        public CompletionStage<Void> ack() {
            steps.add("ack");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> nack(Throwable reason, Metadata metadata) {
            var requeue = metadata.get(RabbitMQRejectMetadata.class)
                    .map(RabbitMQRejectMetadata::isRequeue)
                    .orElse(false);
            steps.add(requeue ? "nack requeue" : "nack reject");
            return CompletableFuture.completedFuture(null);
        }
    }
}
