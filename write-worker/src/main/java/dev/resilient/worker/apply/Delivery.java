package dev.resilient.worker.apply;

import java.util.UUID;

import org.eclipse.microprofile.reactive.messaging.Message;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.worker.messaging.WaitQueues;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the worker knows of one delivered message before it asks anyone: its write (if it can be read) and the counters
 * its headers carry. The input of {@link DeferredWriteRules}, which decides what becomes of it.
 *
 * @param deferred the write, or null when the body cannot be read ({@code unreadable} says why)
 * @param operationId the operation's id: the write's, or, for an unreadable body, whatever can be read of it (or null)
 * @param retries retries already made (0 on the first delivery)
 * @param holds times it waited for an older write to its task
 * @param postponed times it waited because a dependency was away
 * @param failedDeliveries deliveries before this one that ended in a requeue (the broker's count)
 */
public record Delivery(
        String messageId,
        DeferredTaskWrite deferred,
        UUID operationId,
        Exception unreadable,
        int retries,
        int holds,
        int postponed,
        int failedDeliveries) {

    /** Reads the message's body and headers; never fails (an unreadable body is a delivery too). */
    public static Delivery read(Message<byte[]> message, ObjectMapper json) {
        DeferredTaskWrite deferred = null;
        Exception unreadable = null;
        try {
            deferred = json.readValue(message.getPayload(), DeferredTaskWrite.class);
            if (deferred.operationId() == null || deferred.write() == null) {
                throw new IllegalArgumentException("operationId and write are required");
            }
        } catch (Exception e) {
            deferred = null;
            unreadable = e;
        }
        return new Delivery(
                WaitQueues.messageId(message),
                deferred,
                deferred != null ? deferred.operationId() : operationIdOf(message.getPayload(), json),
                unreadable,
                WaitQueues.intHeader(message, WaitQueues.ATTEMPT_HEADER),
                WaitQueues.intHeader(message, WaitQueues.HOLDS_HEADER),
                WaitQueues.intHeader(message, WaitQueues.POSTPONED_HEADER),
                WaitQueues.intHeader(message, WaitQueues.DELIVERY_COUNT_HEADER));
    }

    public boolean readable() {
        return deferred != null;
    }

    /** This attempt's number: the first delivery is attempt 1, each retry adds one. */
    public int attempt() {
        return retries + 1;
    }

    /** The operation id of a message whose write cannot be read, if at least that can be. */
    private static UUID operationIdOf(byte[] payload, ObjectMapper json) {
        try {
            var id = json.readTree(payload).path("operationId").asText(null);
            return id == null ? null : UUID.fromString(id);
        } catch (Exception unreadable) {
            return null;
        }
    }
}
