package dev.resilient.worker.apply;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.DoubleSupplier;

import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.shared.contract.Problem;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.deferred.DeferredWriteJournal.Turn;
import dev.resilient.shared.persistence.TaskWriter;
import dev.resilient.worker.config.WorkerConfig;
import dev.resilient.worker.resilience.ApplyFailure;

/**
 * The worker's rules for a delivered write (docs/resilience.md, "Deferred writes"), as pure functions: what it knows
 * (the delivery, what the journal or PostgreSQL answered, the failure) in, a {@link Decision} out. No I/O, no clock
 * (the time is passed in), no CDI, so every branch is unit-tested without a broker. Each method is one step of
 * {@link DeferredWriteProcessor}, in the order it asks them.
 */
public final class DeferredWriteRules {

    /**
     * What bounds the rules.
     *
     * @param retries retries after the first attempt ({@code tasks.messaging.retries})
     * @param maxHolds holds after which an older write is presumed lost ({@code tasks.worker.max-holds})
     * @param unexpectedFailureAttempts attempts before an unforeseen failure is final
     * @param horizon how long a write may wait before it is no longer applied ({@code tasks.journal.horizon})
     */
    public record Limits(
            int retries,
            Backoff backoff,
            Duration holdDelay,
            int maxHolds,
            int unexpectedFailureAttempts,
            Duration horizon) {

        public static Limits of(WorkerConfig worker, int retries, Duration horizon) {
            return new Limits(
                    retries,
                    new Backoff(worker.retryBase(), worker.retryCap(), worker.retryJitter()),
                    worker.holdDelay(),
                    worker.maxHolds(),
                    worker.unexpectedFailureAttempts(),
                    horizon);
        }
    }

    private final Limits limits;
    private final DoubleSupplier random;

    /** @param random numbers in [0, 1) for the backoff's jitter */
    public DeferredWriteRules(Limits limits, DoubleSupplier random) {
        this.limits = limits;
        this.random = random;
    }

    /** A message arrived: unreadable, past the horizon, or time to ask for its turn. */
    public Decision onArrival(Delivery delivery, Instant now) {
        if (!delivery.readable()) {
            var failed = delivery.operationId() == null
                    ? null
                    : internalError(delivery.operationId(), "The deferred write could not be read.", 1, now);
            return new Decision.Reject(delivery.unreadable(), failed);
        }
        var acceptedAt = delivery.deferred().acceptedAt();
        if (acceptedAt != null && acceptedAt.plus(limits.horizon()).isBefore(now)) {
            var expired = new DeferredWriteState(
                    delivery.operationId(),
                    Status.FAILED,
                    410,
                    null,
                    Problem.expired(limits.horizon()),
                    delivery.attempt(),
                    now);
            return new Decision.Expire(expired);
        }
        var inProgress = new DeferredWriteState(
                delivery.operationId(), Status.IN_PROGRESS, null, null, null, delivery.attempt(), now);
        return new Decision.AskTurn(inProgress, delivery.holds() >= limits.maxHolds());
    }

    /** The journal answered whether its turn has come. */
    public Decision onTurn(Delivery delivery, Turn turn) {
        var deferred = delivery.deferred();
        return switch (turn) {
            case GO ->
                new Decision.Apply(
                        new TaskWriter.Deferred(deferred.operationId(), deferred.write(), deferred.placeOrZero()));
            case WAIT -> new Decision.Hold(delivery.holds() + 1, limits.holdDelay());
            case CANCELLED -> new Decision.Drop();
        };
    }

    /** PostgreSQL committed it, or answered a business outcome: final either way. */
    public Decision onApplied(Delivery delivery, WriteOutcome outcome, Instant now) {
        var last = DeferredWriteState.finished(delivery.operationId(), outcome, delivery.attempt(), now);
        Outcome counted;
        if (outcome instanceof WriteOutcome.Superseded) {
            counted = Outcome.SUPERSEDED;
        } else {
            counted = last.status() == Status.COMPLETED ? Outcome.COMPLETED : Outcome.FAILED;
        }
        return new Decision.Finish(outcome, last, counted);
    }

    /**
     * Applying it failed: PostgreSQL refused the write (retry with backoff, then give up), PostgreSQL is away or did
     * not answer in time (postpone: a timed-out batch may still commit, and the write then finds its record), or
     * something the worker did not foresee.
     */
    public Decision onApplyFailure(Delivery delivery, Throwable failure, Instant now) {
        return switch (ApplyFailure.of(failure)) {
            case REJECTED -> retryOrGiveUp(delivery, failure, now);
            case UNAVAILABLE -> postpone(delivery, failure);
            case UNEXPECTED -> onUnexpected(delivery, failure, now);
        };
    }

    /** The journal failed: Redis is away (the write waits), or it answered what the worker cannot take. */
    public Decision onJournalFailure(Delivery delivery, Throwable failure, Instant now) {
        return ApplyFailure.of(failure) == ApplyFailure.UNAVAILABLE
                ? postpone(delivery, failure)
                : onUnexpected(delivery, failure, now);
    }

    /**
     * A failure the worker did not foresee (a bug, a state it cannot read): requeued a few times, in case it passes;
     * then the deferred write ends failed, its state stored before the message goes to the dead-letter queue, so a client
     * polling it learns the outcome. The work queue's delivery limit is the broker's backstop beyond that.
     */
    public Decision onUnexpected(Delivery delivery, Throwable failure, Instant now) {
        return unexpected(delivery, delivery.readable() ? delivery.deferred().write() : null, failure, now);
    }

    /**
     * A failure outside any step (acking or rejecting failed): handled as unexpected, but only its state is stored,
     * since no step says where its write stands in its task's order.
     */
    public Decision onUnhandled(Delivery delivery, Throwable failure, Instant now) {
        return unexpected(delivery, null, failure, now);
    }

    private Decision retryOrGiveUp(Delivery delivery, Throwable failure, Instant now) {
        if (delivery.retries() < limits.retries()) {
            var next = delivery.retries() + 1;
            var delay = limits.backoff().before(next, random.getAsDouble());
            var pending = new DeferredWriteState(delivery.operationId(), Status.PENDING, null, null, null, next, now);
            return new Decision.Retry(next, delay, pending, failure);
        }
        var attempt = delivery.attempt();
        var problem = Problem.of(
                503,
                "Service Unavailable",
                "The write could not be applied after " + attempt + " attempts; it is in the dead-letter queue.");
        var failed = new DeferredWriteState(delivery.operationId(), Status.FAILED, 503, null, problem, attempt, now);
        return new Decision.GiveUp(failed, failure);
    }

    private Decision postpone(Delivery delivery, Throwable failure) {
        return new Decision.Postpone(delivery.postponed() + 1, limits.holdDelay(), failure);
    }

    private Decision unexpected(Delivery delivery, TaskWrite write, Throwable failure, Instant now) {
        var attempt = delivery.failedDeliveries() + 1;
        if (attempt < limits.unexpectedFailureAttempts()) {
            return new Decision.TryAgain(failure, attempt);
        }
        var id = delivery.operationId();
        var failed = id == null
                ? null
                : internalError(
                        id,
                        "The write could not be applied (an unexpected error, logged by the worker); it is in the"
                                + " dead-letter queue.",
                        attempt,
                        now);
        return new Decision.DeadLetter(failed, write, failure, attempt);
    }

    private static DeferredWriteState internalError(UUID id, String detail, int attempt, Instant now) {
        var problem = Problem.of(500, "Internal Server Error", detail);
        return new DeferredWriteState(id, Status.FAILED, 500, null, problem, attempt, now);
    }
}
