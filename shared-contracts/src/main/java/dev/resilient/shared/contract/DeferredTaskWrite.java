package dev.resilient.shared.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * The message that carries a deferred write from api-service to write-worker over RabbitMQ. The operation id is the
 * one the client polls at {@code /tasks/queued/{operationId}}, and the key that makes applying it happen once.
 *
 * @param acceptedAt when the API accepted the write and answered 202
 */
public record DeferredTaskWrite(UUID operationId, TaskWrite write, Instant acceptedAt) {}
