package dev.resilient.worker.apply;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import io.quarkus.logging.Log;

import dev.resilient.shared.cache.TaskCacheService;
import dev.resilient.shared.deferred.DeferredWriteJournal;
import dev.resilient.shared.messaging.MessagingTopology;
import dev.resilient.shared.persistence.TaskWriter;
import dev.resilient.worker.messaging.WaitQueues;
import dev.resilient.worker.resilience.WorkerGuards;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.rabbitmq.RabbitMQRejectMetadata;

/**
 * Handles one delivered deferred write (docs/design.md section 5): {@link DeferredWriteRules} decides each step, this
 * class carries the decision out (the journal, the batch, the broker, the cache) and asks the rules again with what it
 * got back. A write whose turn has come is applied exactly once ({@link TaskWriter#applyAllOnce} in one transaction,
 * through {@link WriteBatcher}).
 *
 * <p>Every path acks only after what it hands on is confirmed by the broker and recorded, so a crash at any point
 * redelivers the message and never loses it; {@code applyOnce} makes the redelivery harmless.
 */
@ApplicationScoped
public class DeferredWriteProcessor {

    private final DeferredWriteRules rules;
    private final ObjectMapper json;
    private final MessagingTopology topology;
    private final DeferredWriteJournal journal;
    private final WriteBatcher batcher;
    private final TaskCacheService cache;
    private final WaitQueues queues;
    private final WorkerGuards guards;
    private final WorkerMetrics metrics;

    public DeferredWriteProcessor(
            DeferredWriteRules rules,
            ObjectMapper json,
            MessagingTopology topology,
            DeferredWriteJournal journal,
            WriteBatcher batcher,
            TaskCacheService cache,
            WaitQueues queues,
            WorkerGuards guards,
            WorkerMetrics metrics) {
        this.rules = rules;
        this.json = json;
        this.topology = topology;
        this.journal = journal;
        this.batcher = batcher;
        this.cache = cache;
        this.queues = queues;
        this.guards = guards;
        this.metrics = metrics;
    }

    /** Completes once the message is acked or rejected, whatever became of its write. */
    public Uni<Void> process(Message<byte[]> message) {
        var timing = metrics.handling();
        return topology.ready()
                .onItemOrFailure()
                .transformToUni((ready, notDeclared) -> notDeclared != null
                        // The queues it hands writes on to may not exist: redelivered once they are declared.
                        ? requeue(message, notDeclared)
                        : handle(message, Delivery.read(message, json)))
                .onTermination()
                .invoke(() -> metrics.handled(timing));
    }

    private Uni<Void> handle(Message<byte[]> message, Delivery delivery) {
        return carryOut(message, delivery, rules.onArrival(delivery, Instant.now()))
                .onFailure()
                .recoverWithUni(
                        failure -> carryOut(message, delivery, rules.onUnhandled(delivery, failure, Instant.now())));
    }

    /** One decision carried out; the steps that ask something (its turn, applying it) lead to the next decision. */
    private Uni<Void> carryOut(Message<byte[]> message, Delivery delivery, Decision decision) {
        if (decision instanceof Decision.AskTurn ask) {
            return askTurn(message, delivery, ask);
        }
        if (decision instanceof Decision.Apply apply) {
            return apply(message, delivery, apply);
        }
        if (decision instanceof Decision.Finish finish) {
            return finish(message, delivery, finish);
        }
        if (decision instanceof Decision.Hold hold) {
            return handOn(message, queues.hold(message, hold.holds(), hold.delay()), Outcome.HELD);
        }
        if (decision instanceof Decision.Drop) {
            Log.infof("Deferred write %s was cancelled by the API; dropped", delivery.operationId());
            return ack(message, Outcome.DISCARDED);
        }
        if (decision instanceof Decision.Expire expire) {
            return expire(message, delivery, expire);
        }
        if (decision instanceof Decision.Retry retry) {
            return retry(message, delivery, retry);
        }
        if (decision instanceof Decision.GiveUp giveUp) {
            return giveUp(message, delivery, giveUp);
        }
        if (decision instanceof Decision.Postpone postpone) {
            // Not a retry and not a hold: a copy sent on rather than a requeue, so the broker's delivery count (and
            // limit) is left for writes that fail.
            Log.debugf(
                    "Postponing %s: %s", delivery.messageId(), postpone.reason().toString());
            return handOn(message, queues.postpone(message, postpone.postponed(), postpone.delay()), Outcome.POSTPONED);
        }
        if (decision instanceof Decision.TryAgain again) {
            Log.warnf(
                    again.reason(),
                    "Deferred write %s failed unexpectedly (attempt %d); requeued",
                    delivery.messageId(),
                    again.attempt());
            return requeue(message, again.reason());
        }
        if (decision instanceof Decision.DeadLetter dead) {
            return deadLetter(message, delivery, dead);
        }
        if (decision instanceof Decision.Reject reject) {
            return reject(message, delivery, reject);
        }
        throw new IllegalArgumentException("No way to carry out " + decision);
    }

    private Uni<Void> askTurn(Message<byte[]> message, Delivery delivery, Decision.AskTurn ask) {
        var deferred = delivery.deferred();
        if (ask.giveUpWaiting()) {
            Log.warnf(
                    "Deferred write %s waited %d times for an older write to its task; presuming that write lost",
                    delivery.operationId(), delivery.holds());
        }
        return guards.redis(() ->
                        journal.begin(ask.inProgress(), deferred.write(), deferred.publication(), ask.giveUpWaiting()))
                .onItemOrFailure()
                .transformToUni((turn, failure) -> carryOut(
                        message,
                        delivery,
                        failure == null
                                ? rules.onTurn(delivery, turn)
                                : rules.onJournalFailure(delivery, failure, Instant.now())));
    }

    private Uni<Void> apply(Message<byte[]> message, Delivery delivery, Decision.Apply apply) {
        return batcher.apply(apply.write(), deliverySpan(message))
                .onItemOrFailure()
                .transformToUni((outcome, failure) -> carryOut(
                        message,
                        delivery,
                        failure == null
                                ? rules.onApplied(delivery, outcome, Instant.now())
                                : rules.onApplyFailure(delivery, failure, Instant.now())));
    }

    private Uni<Void> finish(Message<byte[]> message, Delivery delivery, Decision.Finish finish) {
        var write = delivery.deferred().write();
        // The fallback copies follow what PostgreSQL now holds, before the client can see the write completed (sent
        // first on the same Redis connections); fire-and-forget: a failed refresh never holds up or fails the write.
        cache.written(write, finish.outcome());
        return guards.redis(() -> journal.finish(finish.last(), write))
                .chain(() -> {
                    metrics.finalAfter(finish.last().attempts());
                    return ack(message, finish.counted());
                })
                .onFailure()
                .recoverWithUni(failure ->
                        carryOut(message, delivery, rules.onJournalFailure(delivery, failure, Instant.now())));
    }

    private Uni<Void> expire(Message<byte[]> message, Delivery delivery, Decision.Expire expire) {
        Log.warnf(
                "Deferred write %s was accepted at %s, longer ago than the horizon: not applied",
                delivery.operationId(), delivery.deferred().acceptedAt());
        var write = delivery.deferred().write();
        return handOn(message, guards.redis(() -> journal.expire(expire.expired(), write)), Outcome.EXPIRED);
    }

    private Uni<Void> retry(Message<byte[]> message, Delivery delivery, Decision.Retry retry) {
        Log.warnf(
                "Deferred write %s failed (%s); retry %d in %d ms",
                delivery.operationId(),
                retry.reason().toString(),
                retry.retry(),
                retry.delay().toMillis());
        var handedOn = queues.retry(message, retry.retry(), retry.delay())
                // The state only informs a client polling it: not worth holding the retry up for.
                .chain(() -> guards.redis(() -> journal.save(retry.pending()))
                        .onFailure()
                        .recoverWithNull());
        return handOn(message, handedOn, Outcome.RETRIED);
    }

    private Uni<Void> giveUp(Message<byte[]> message, Delivery delivery, Decision.GiveUp giveUp) {
        var attempt = giveUp.failed().attempts();
        Log.errorf(
                "Deferred write %s failed %d times (%s); moved to the dead-letter queue",
                delivery.operationId(), attempt, giveUp.reason());
        var write = delivery.deferred().write();
        var handedOn = queues.deadLetter(message, giveUp.reason().toString())
                .chain(() -> guards.redis(() -> journal.finish(giveUp.failed(), write)))
                .invoke(() -> metrics.finalAfter(attempt));
        return handOn(message, handedOn, Outcome.DEAD_LETTERED);
    }

    private Uni<Void> deadLetter(Message<byte[]> message, Delivery delivery, Decision.DeadLetter dead) {
        Log.errorf(
                dead.reason(),
                "Deferred write %s failed unexpectedly %d times; moved to the dead-letter queue",
                delivery.messageId(),
                dead.attempt());
        var failed = dead.failed();
        Uni<Void> stored = failed == null
                ? Uni.createFrom().voidItem()
                : guards.redis(
                        () -> dead.write() != null ? journal.finish(failed, dead.write()) : journal.save(failed));
        var handedOn =
                stored.chain(() -> queues.deadLetter(message, dead.reason().toString()));
        return handOn(message, handedOn, Outcome.DEAD_LETTERED);
    }

    /** Rejected without requeue: the work queue dead-letters it; its state (if its id can be read) says failed. */
    private Uni<Void> reject(Message<byte[]> message, Delivery delivery, Decision.Reject reject) {
        Log.errorf(
                "Unreadable deferred write %s moved to the dead-letter queue: %s",
                delivery.messageId(), reject.reason().getMessage());
        Uni<Void> markFailed = reject.failed() == null
                ? Uni.createFrom().voidItem()
                : guards.redis(() -> journal.save(reject.failed())).onFailure().recoverWithNull();
        return markFailed
                .chain(() -> nack(message, reject.reason(), false))
                .invoke(() -> metrics.count(Outcome.DEAD_LETTERED));
    }

    /** Acks once {@code handedOn} is done (the broker confirmed the copy, the journal recorded it); else requeues. */
    private Uni<Void> handOn(Message<byte[]> message, Uni<Void> handedOn, Outcome outcome) {
        return handedOn.chain(() -> ack(message, outcome))
                .onFailure()
                .recoverWithUni(failure -> requeue(message, failure));
    }

    private Uni<Void> requeue(Message<byte[]> message, Throwable failure) {
        Log.debugf("Requeueing %s: %s", WaitQueues.messageId(message), failure.toString());
        return nack(message, failure, true).invoke(() -> metrics.count(Outcome.REQUEUED));
    }

    private Uni<Void> ack(Message<byte[]> message, Outcome outcome) {
        return Uni.createFrom().completionStage(message::ack).invoke(() -> metrics.count(outcome));
    }

    private static Uni<Void> nack(Message<byte[]> message, Throwable failure, boolean requeue) {
        return Uni.createFrom()
                .completionStage(() -> message.nack(failure, Metadata.of(new RabbitMQRejectMetadata(requeue))));
    }

    /** The consume span the connector made for this delivery (it carries the publisher's trace). */
    private static SpanContext deliverySpan(Message<byte[]> message) {
        return TracingMetadata.fromMessage(message)
                .map(tracing -> Span.fromContext(tracing.getCurrentContext()).getSpanContext())
                .orElse(SpanContext.getInvalid());
    }
}
