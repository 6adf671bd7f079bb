package dev.resilient.worker.apply;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import io.quarkus.logging.Log;

import dev.resilient.shared.cache.TaskCacheService;
import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.OperationState;
import dev.resilient.shared.contract.Problem;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.messaging.MessagingConfig;
import dev.resilient.shared.messaging.MessagingTopology;
import dev.resilient.shared.operations.OperationJournal;
import dev.resilient.shared.persistence.TaskWriter;
import dev.resilient.worker.config.WorkerConfig;
import dev.resilient.worker.messaging.WaitQueues;
import dev.resilient.worker.resilience.ApplyFailure;
import dev.resilient.worker.resilience.ConsumptionGate;
import dev.resilient.worker.resilience.WorkerGuards;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;

/**
 * Applies one deferred write (docs/design.md section 5), deciding what becomes of its message:
 *
 * <ul>
 *   <li>its turn has come ({@link OperationJournal#begin}): applied through the shared write path, exactly once
 *       ({@link TaskWriter#applyAllOnce}, several writes per transaction: {@link WriteBatcher}), the fallback cache
 *       refreshed (as after a synchronous write), final state stored, acked. A business outcome (404, 412) is final
 *       too;
 *   <li>an older write to the same task is still queued: sent to the hold queue to ask again shortly;
 *   <li>cancelled by the API (its publish was not confirmed, the client got 503): dropped;
 *   <li>PostgreSQL refused or failed it: sent to the next retry queue with backoff and jitter, or, with the retries
 *       used up, to the dead-letter queue with state {@code failed};
 *   <li>a breaker is open, Redis failed, or PostgreSQL did not answer in time: requeued untouched (the gate pauses
 *       the channel while a breaker is open), so an outage uses up no retry; a timed-out batch may still commit, and
 *       the redelivered write then finds its record;
 *   <li>unreadable: rejected, which the work queue dead-letters to the dead-letter queue.
 * </ul>
 *
 * Every path acks only after what it hands on is confirmed by the broker and recorded, so a crash at any point
 * redelivers the message and never loses it; {@code applyOnce} makes the redelivery harmless.
 */
@ApplicationScoped
public class DeferredWriteProcessor {

    private final ObjectMapper json;
    private final OperationJournal journal;
    private final TaskCacheService cache;
    private final WriteBatcher batcher;
    private final WorkerGuards guards;
    private final WaitQueues queues;
    private final ConsumptionGate gate;
    private final MessagingTopology topology;
    private final MessagingConfig messaging;
    private final WorkerConfig config;
    private final MeterRegistry registry;
    private final Timer processing;
    private final DistributionSummary attempts;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public DeferredWriteProcessor(
            ObjectMapper json,
            OperationJournal journal,
            TaskCacheService cache,
            WriteBatcher batcher,
            WorkerGuards guards,
            WaitQueues queues,
            ConsumptionGate gate,
            MessagingTopology topology,
            MessagingConfig messaging,
            WorkerConfig config,
            MeterRegistry registry) {
        this.json = json;
        this.journal = journal;
        this.cache = cache;
        this.batcher = batcher;
        this.guards = guards;
        this.queues = queues;
        this.gate = gate;
        this.topology = topology;
        this.messaging = messaging;
        this.config = config;
        this.registry = registry;
        this.processing = Timer.builder("tasks.worker.processing")
                .description("Time to handle one delivered deferred write, whatever became of it")
                .publishPercentileHistogram()
                .register(registry);
        // One bucket per attempt: the first delivery, each retry, one beyond (retries are configurable).
        var buckets = IntStream.rangeClosed(1, messaging.retries() + 2)
                .asDoubleStream()
                .toArray();
        this.attempts = DistributionSummary.builder("tasks.worker.attempts")
                .description("Attempts a deferred write took until it was final")
                .serviceLevelObjectives(buckets)
                .register(registry);
    }

    public Uni<Void> process(Message<byte[]> message) {
        gate.started();
        var sample = Timer.start(registry);
        return topology.ready()
                .onItemOrFailure()
                .transformToUni((ready, notDeclared) -> notDeclared != null
                        // The queues it hands writes on to may not exist: redelivered once they are declared.
                        ? requeue(message, notDeclared)
                        : handle(message).onFailure().recoverWithUni(failure -> unexpected(message, null, failure)))
                .onTermination()
                .invoke(() -> {
                    sample.stop(processing);
                    gate.finished();
                });
    }

    private Uni<Void> handle(Message<byte[]> message) {
        DeferredTaskWrite deferred;
        try {
            deferred = json.readValue(message.getPayload(), DeferredTaskWrite.class);
            if (deferred.operationId() == null || deferred.write() == null) {
                throw new IllegalArgumentException("operationId and write are required");
            }
        } catch (Exception e) {
            return unreadable(message, e);
        }
        var retry = WaitQueues.intHeader(message, WaitQueues.ATTEMPT_HEADER);
        if (journal.expired(deferred.acceptedAt(), Instant.now())) {
            return expire(message, deferred, retry + 1);
        }
        var holds = WaitQueues.intHeader(message, WaitQueues.HOLDS_HEADER);
        var inProgress = state(deferred.operationId(), OperationState.Status.IN_PROGRESS, retry + 1);
        var giveUp = holds >= config.maxHolds();
        if (giveUp) {
            Log.warnf(
                    "Operation %s waited %d times for an older write to its task; presuming that write lost",
                    deferred.operationId(), holds);
        }
        return guards.redis(() -> journal.begin(inProgress, deferred.write(), deferred.publication(), giveUp))
                .onFailure()
                .recoverWithUni(
                        failure -> notApplied(message, deferred, failure).replaceWith((OperationJournal.Turn) null))
                .chain(turn -> {
                    if (turn == null) {
                        return Uni.createFrom().voidItem();
                    }
                    return switch (turn) {
                        case GO -> apply(message, deferred, retry);
                        case WAIT ->
                            queues.hold(message, holds + 1, config.holdDelay())
                                    .chain(() -> ack(message, "held"))
                                    .onFailure()
                                    .recoverWithUni(failure -> requeue(message, failure));
                        case CANCELLED -> {
                            Log.infof("Operation %s was cancelled by the API; dropped", deferred.operationId());
                            yield ack(message, "discarded");
                        }
                    };
                });
    }

    private Uni<Void> apply(Message<byte[]> message, DeferredTaskWrite deferred, int retry) {
        var id = deferred.operationId();
        return batcher.apply(
                        new TaskWriter.Deferred(id, deferred.write(), deferred.placeOrZero()), deliverySpan(message))
                .onItemOrFailure()
                .transformToUni((outcome, failure) -> {
                    if (failure == null) {
                        return finish(message, deferred, outcome, retry + 1);
                    }
                    return switch (ApplyFailure.of(failure)) {
                        case REJECTED -> retryOrGiveUp(message, deferred, retry, failure);
                        // PostgreSQL is out, or slow and the batch may still commit (RunToCompletion): asked again
                        // shortly, it finds its record if it did. Not the write's fault: no retry used up.
                        case UNAVAILABLE -> postpone(message, failure);
                        case UNEXPECTED -> unexpected(message, deferred, failure);
                    };
                });
    }

    private Uni<Void> finish(Message<byte[]> message, DeferredTaskWrite deferred, WriteOutcome outcome, int attempt) {
        var last = OperationState.finished(deferred.operationId(), outcome, attempt, Instant.now());
        // The fallback copies follow what PostgreSQL now holds, before the client can see the write completed (sent
        // first on the same Redis connections); fire-and-forget: a failed refresh never holds up or fails the write.
        cache.written(deferred.write(), outcome);
        return guards.redis(() -> journal.finish(last, deferred.write()))
                .chain(() -> {
                    attempts.record(attempt);
                    return ack(message, outcomeName(outcome, last));
                })
                .onFailure()
                .recoverWithUni(failure -> notApplied(message, deferred, failure));
    }

    /** The journal failed: Redis is away (the write waits), or it answered what the worker cannot take (unexpected). */
    private Uni<Void> notApplied(Message<byte[]> message, DeferredTaskWrite deferred, Throwable failure) {
        return ApplyFailure.of(failure) == ApplyFailure.UNAVAILABLE
                ? postpone(message, failure)
                : unexpected(message, deferred, failure);
    }

    /**
     * A write that waited past the journal's horizon is not applied, whatever its turn: it ends failed ({@code
     * expired}) and lets the next write to its task go. A delivery after it had become final changes nothing.
     */
    private Uni<Void> expire(Message<byte[]> message, DeferredTaskWrite deferred, int attempt) {
        Log.warnf(
                "Operation %s was accepted at %s, longer ago than the horizon: not applied",
                deferred.operationId(), deferred.acceptedAt());
        var expired = journal.expiredState(deferred.operationId(), attempt, Instant.now());
        return guards.redis(() -> journal.expire(expired, deferred.write()))
                .chain(() -> ack(message, "expired"))
                .onFailure()
                .recoverWithUni(failure -> requeue(message, failure));
    }

    private Uni<Void> retryOrGiveUp(Message<byte[]> message, DeferredTaskWrite deferred, int retry, Throwable failure) {
        var id = deferred.operationId();
        if (retry < messaging.retries()) {
            var next = retry + 1;
            var delay = Backoff.before(next, config);
            Log.warnf("Operation %s failed (%s); retry %d in %d ms", id, failure.toString(), next, delay.toMillis());
            return queues.retry(message, next, delay)
                    .chain(() -> guards.redis(() -> journal.save(state(id, OperationState.Status.PENDING, next)))
                            .onFailure()
                            .recoverWithNull())
                    .chain(() -> ack(message, "retried"))
                    .onFailure()
                    .recoverWithUni(publishFailure -> requeue(message, publishFailure));
        }
        var attempt = retry + 1;
        Log.errorf("Operation %s failed %d times (%s); moved to the dead-letter queue", id, attempt, failure);
        var problem = Problem.of(
                503,
                "Service Unavailable",
                "The write could not be applied after " + attempt + " attempts; it is in the dead-letter queue.");
        var failed = new OperationState(id, OperationState.Status.FAILED, 503, null, problem, attempt, Instant.now());
        return queues.deadLetter(message, failure.toString())
                .chain(() -> guards.redis(() -> journal.finish(failed, deferred.write())))
                .chain(() -> {
                    attempts.record(attempt);
                    return ack(message, "dead_lettered");
                })
                .onFailure()
                .recoverWithUni(publishFailure -> requeue(message, publishFailure));
    }

    /**
     * Waits a moment in the hold queue and comes back (a dependency is away: PostgreSQL refused or timed out, Redis
     * failed). Not a retry and not a hold: neither is used up, and the write keeps its place in its task's order. A
     * copy sent on rather than a requeue, so the broker's delivery count (and limit) is left for writes that fail.
     */
    private Uni<Void> postpone(Message<byte[]> message, Throwable failure) {
        Log.debugf("Postponing %s: %s", WaitQueues.messageId(message), failure.toString());
        var postponed = WaitQueues.intHeader(message, WaitQueues.POSTPONED_HEADER) + 1;
        return queues.postpone(message, postponed, config.holdDelay())
                .chain(() -> ack(message, "postponed"))
                .onFailure()
                .recoverWithUni(publishFailure -> requeue(message, publishFailure));
    }

    /**
     * A failure the worker did not foresee (a bug, or a message it cannot handle): requeued a few times, in case it
     * passes; then the operation ends failed, with its state stored before the message goes to the dead-letter queue,
     * so a client polling it learns the outcome. The work queue's delivery limit is the broker's backstop beyond that.
     *
     * @param deferred the write, or null when the failure came before it was read
     */
    private Uni<Void> unexpected(Message<byte[]> message, DeferredTaskWrite deferred, Throwable failure) {
        var messageId = WaitQueues.messageId(message);
        var attempt = WaitQueues.intHeader(message, WaitQueues.DELIVERY_COUNT_HEADER) + 1;
        if (attempt < config.unexpectedFailureAttempts()) {
            Log.warnf(failure, "Deferred write %s failed unexpectedly (attempt %d); requeued", messageId, attempt);
            return requeue(message, failure);
        }
        Log.errorf(
                failure,
                "Deferred write %s failed unexpectedly %d times; moved to the dead-letter queue",
                messageId,
                attempt);
        var id = deferred != null ? deferred.operationId() : operationIdOf(message.getPayload());
        var problem = Problem.of(
                500,
                "Internal Server Error",
                "The write could not be applied (an unexpected error, logged by the worker); it is in the dead-letter"
                        + " queue.");
        var failed = id == null
                ? null
                : new OperationState(id, OperationState.Status.FAILED, 500, null, problem, attempt, Instant.now());
        Uni<Void> stored = failed == null
                ? Uni.createFrom().voidItem()
                : guards.redis(
                        () -> deferred != null ? journal.finish(failed, deferred.write()) : journal.save(failed));
        return stored.chain(() -> queues.deadLetter(message, failure.toString()))
                .chain(() -> ack(message, "dead_lettered"))
                .onFailure()
                .recoverWithUni(storeFailure -> requeue(message, storeFailure));
    }

    /**
     * Rejected without requeue: the work queue dead-letters it; its state (if its operation id can be read) says
     * failed.
     */
    private Uni<Void> unreadable(Message<byte[]> message, Exception reason) {
        var messageId = WaitQueues.messageId(message);
        Log.errorf("Unreadable deferred write %s moved to the dead-letter queue: %s", messageId, reason.getMessage());
        Uni<Void> markFailed = Uni.createFrom().voidItem();
        UUID id = operationIdOf(message.getPayload());
        if (id != null) {
            var problem = Problem.of(500, "Internal Server Error", "The deferred write could not be read.");
            var failed = new OperationState(id, OperationState.Status.FAILED, 500, null, problem, 1, Instant.now());
            markFailed = guards.redis(() -> journal.save(failed)).onFailure().recoverWithNull();
        }
        return markFailed.chain(() -> reject(message, reason, false)).invoke(() -> count("dead_lettered"));
    }

    private Uni<Void> requeue(Message<byte[]> message, Throwable failure) {
        Log.debugf("Requeueing %s: %s", WaitQueues.messageId(message), failure.toString());
        return reject(message, failure, true).invoke(() -> count("requeued"));
    }

    private Uni<Void> ack(Message<byte[]> message, String outcome) {
        return Uni.createFrom().completionStage(message::ack).invoke(() -> count(outcome));
    }

    private static Uni<Void> reject(Message<byte[]> message, Throwable failure, boolean requeue) {
        return Uni.createFrom()
                .completionStage(() -> message.nack(failure, Metadata.of(new RabbitMQRejectMetadata(requeue))));
    }

    private void count(String outcome) {
        counters.computeIfAbsent(outcome, name -> Counter.builder("tasks.worker.operations")
                        .description("Deferred writes handled by the worker, by what became of them")
                        .tag("outcome", name)
                        .register(registry))
                .increment();
    }

    /** How the operations counter names an outcome: completed, superseded (not applied: a newer write), or failed. */
    private static String outcomeName(WriteOutcome outcome, OperationState last) {
        if (outcome instanceof WriteOutcome.Superseded) {
            return "superseded";
        }
        return last.status() == OperationState.Status.COMPLETED ? "completed" : "failed";
    }

    /** The consume span the connector made for this delivery (it carries the publisher's trace). */
    private static SpanContext deliverySpan(Message<byte[]> message) {
        return TracingMetadata.fromMessage(message)
                .map(tracing -> Span.fromContext(tracing.getCurrentContext()).getSpanContext())
                .orElse(SpanContext.getInvalid());
    }

    private static OperationState state(UUID id, OperationState.Status status, int attempt) {
        return new OperationState(id, status, null, null, null, attempt, Instant.now());
    }

    /** The operation id of a message whose write cannot be read, if at least that can be. */
    private UUID operationIdOf(byte[] payload) {
        try {
            var id = json.readTree(payload).path("operationId").asText(null);
            return id == null ? null : UUID.fromString(id);
        } catch (Exception unreadable) {
            return null;
        }
    }
}
