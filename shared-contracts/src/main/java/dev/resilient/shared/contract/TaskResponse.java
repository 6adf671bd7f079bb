package dev.resilient.shared.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * A task as every client sees it: the body of a read, of a successful write, and the {@code result} of a deferred
 * write once the worker has applied it.
 */
public record TaskResponse(UUID id, String name, TaskStatus status, Instant createdAt, Instant updatedAt) {}
