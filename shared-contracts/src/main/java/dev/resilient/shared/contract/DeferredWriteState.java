package dev.resilient.shared.contract;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a deferred write stands, as {@code GET /tasks/queued/{id}} answers it.
 *
 * @param result the body the synchronous call would have returned, once {@code completed} (null for a 204)
 * @param resultStatus the status the synchronous call would have returned, once final
 * @param problem why it failed, once {@code failed}: the problem the API would have answered, or a dead-letter note
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeferredWriteState(
        UUID id,
        Status status,
        Integer resultStatus,
        TaskResponse result,
        Problem problem,
        int attempts,
        Instant updatedAt) {

    /** The life of a deferred write; completed and failed are final. */
    public enum Status {
        @JsonProperty("pending")
        PENDING,
        @JsonProperty("in_progress")
        IN_PROGRESS,
        @JsonProperty("completed")
        COMPLETED,
        @JsonProperty("failed")
        FAILED;

        public boolean isFinal() {
            return this == COMPLETED || this == FAILED;
        }
    }

    public static DeferredWriteState pending(UUID id, Instant at) {
        return new DeferredWriteState(id, Status.PENDING, null, null, null, 0, at);
    }

    /** The final state for an outcome: completed with its body, or failed with the problem a client would get. */
    public static DeferredWriteState finished(UUID id, WriteOutcome outcome, int attempts, Instant at) {
        if (outcome instanceof WriteOutcome.Created created) {
            return new DeferredWriteState(
                    id, Status.COMPLETED, 201, created.snapshot().task(), null, attempts, at);
        }
        if (outcome instanceof WriteOutcome.Updated updated) {
            return new DeferredWriteState(
                    id, Status.COMPLETED, 200, updated.snapshot().task(), null, attempts, at);
        }
        if (outcome instanceof WriteOutcome.Deleted) {
            return new DeferredWriteState(id, Status.COMPLETED, 204, null, null, attempts, at);
        }
        if (outcome instanceof WriteOutcome.NotFound notFound) {
            return new DeferredWriteState(id, Status.FAILED, 404, null, notFound.problem(), attempts, at);
        }
        if (outcome instanceof WriteOutcome.Superseded superseded) {
            return new DeferredWriteState(id, Status.FAILED, 409, null, superseded.problem(), attempts, at);
        }
        var failed = (WriteOutcome.PreconditionFailed) outcome;
        return new DeferredWriteState(id, Status.FAILED, 412, null, failed.problem(), attempts, at);
    }
}
