package dev.resilient.worker.apply;

import java.time.Duration;

import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.persistence.TaskWriter;

/**
 * What to do with a delivered write: {@link DeferredWriteRules} decides it, {@link DeferredWriteProcessor} carries it
 * out. Every path that hands the message on (a wait queue, the dead-letter queue) acks only after the broker
 * confirmed the copy; if handing on fails, the message is requeued untouched.
 */
public sealed interface Decision {

    /** Ask the journal whether its turn has come, marking it {@code in_progress} if so. */
    record AskTurn(DeferredWriteState inProgress, boolean giveUpWaiting) implements Decision {}

    /** Its turn has come: apply it (in a batch, exactly once). */
    record Apply(TaskWriter.Deferred write) implements Decision {}

    /** Applied (or a business outcome: 404, 412, superseded): refresh the cache, store the final state, ack. */
    record Finish(WriteOutcome outcome, DeferredWriteState last, Outcome counted) implements Decision {}

    /** An older write to its task is still queued: wait in the hold queue, then ask again. */
    record Hold(int holds, Duration delay) implements Decision {}

    /** The API withdrew this publication (its client was answered 503): ack and forget. */
    record Drop() implements Decision {}

    /** Waited past the journal's horizon: not applied; store {@code expired} and let the next write go. */
    record Expire(DeferredWriteState expired) implements Decision {}

    /** PostgreSQL refused it: to the next retry queue after {@code delay}, state back to {@code pending}. */
    record Retry(int retry, Duration delay, DeferredWriteState pending, Throwable reason) implements Decision {}

    /** PostgreSQL refused it and the retries are used up: to the dead-letter queue, then the final state. */
    record GiveUp(DeferredWriteState failed, Throwable reason) implements Decision {}

    /** A dependency is away: wait in the hold queue and come back; no retry and no hold is used up. */
    record Postpone(int postponed, Duration delay, Throwable reason) implements Decision {}

    /** A failure the worker did not foresee, with attempts left: requeued to try again. */
    record TryAgain(Throwable reason, int attempt) implements Decision {}

    /**
     * A failure the worker did not foresee, with no attempts left: the final state first (if the deferred write is known),
     * then the dead-letter queue.
     *
     * @param failed the final state, or null when not even the operation id can be read
     * @param write the write, to let the next write to its task go; null when only the state is stored
     */
    record DeadLetter(DeferredWriteState failed, TaskWrite write, Throwable reason, int attempt) implements Decision {}

    /**
     * The body cannot be read: rejected, which the work queue dead-letters.
     *
     * @param failed the final state, or null when not even the operation id can be read
     */
    record Reject(Exception reason, DeferredWriteState failed) implements Decision {}
}
