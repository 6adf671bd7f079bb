package dev.resilient.task.application;

import java.util.UUID;

import dev.resilient.shared.contract.WriteOutcome;

/** What a write request comes to: applied now, or accepted and deferred until PostgreSQL can take it. */
public sealed interface WriteAnswer {

    /** Applied synchronously; the outcome is the answer. */
    record Applied(WriteOutcome outcome) implements WriteAnswer {}

    /** Accepted for later (202): the client polls the deferred write's state. */
    record Deferred(UUID operationId, int pollAfterSeconds) implements WriteAnswer {}
}
