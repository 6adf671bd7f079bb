package dev.resilient.shared.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * The message that carries a deferred write from api-service to write-worker over RabbitMQ. The operation id is the
 * one the client polls at {@code /tasks/queued/{operationId}}, and the key that makes applying it happen once.
 *
 * @param acceptedAt when the API accepted the write and answered 202
 * @param place the write's place in the order of accepted writes (from the journal): a write with an older place than
 *     the last one applied to its task is not applied; null in messages published before places existed (applied
 *     unless the task has a newer write)
 * @param publicationId this publication of the operation (its AMQP message id): the API withdraws a publication it
 *     could not confirm by this id, so a resend of the same operation is not withdrawn with it; null in messages
 *     published before it existed (the operation id stands in)
 */
public record DeferredTaskWrite(UUID operationId, TaskWrite write, Instant acceptedAt, Long place, UUID publicationId) {

    /** The place to compare with the task's, 0 for a message from before places existed. */
    public long placeOrZero() {
        return place == null ? 0 : place;
    }

    /** The id the API withdraws this publication by. */
    public UUID publication() {
        return publicationId == null ? operationId : publicationId;
    }
}
