package dev.resilient.worker.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import dev.resilient.shared.contract.Topology;
import dev.resilient.shared.messaging.MessagingTopology;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.IncomingRabbitMQMetadata;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;

/**
 * Sends a delivered write on to where it waits: a retry queue, the hold queue (ordering), or the dead-letter queue.
 * The copy is persistent, keeps the message id and body, carries the worker's counters as headers, and completes
 * only once the broker confirms it; the caller acks the original after that, so a crash in between duplicates the
 * message (applied once all the same) and never loses it. A copy the broker cannot route is refused (nack), and the
 * topology is declared again.
 */
@ApplicationScoped
public class WaitQueues {

    /** Outgoing channel to the deferred-write exchange. */
    public static final String CHANNEL = "task-write-reroutes";

    /** Header: retries already made (0 on the first delivery). */
    public static final String ATTEMPT_HEADER = "x-tasks-retry";

    /** Header: times the write waited for an older write to the same task. */
    public static final String HOLDS_HEADER = "x-tasks-holds";

    /** Header: times the write was sent to wait because a dependency was away (not counted against anything). */
    public static final String POSTPONED_HEADER = "x-tasks-postponed";

    /** Header the broker sets on a redelivery from a quorum queue: deliveries that failed before this one. */
    public static final String DELIVERY_COUNT_HEADER = "x-delivery-count";

    /** Header on a dead-lettered write: why it could not be applied. */
    public static final String REASON_HEADER = "x-tasks-dead-reason";

    private static final int PERSISTENT = 2;

    private final MutinyEmitter<byte[]> emitter;
    private final MessagingTopology topology;

    public WaitQueues(@Channel(CHANNEL) MutinyEmitter<byte[]> emitter, MessagingTopology topology) {
        this.emitter = emitter;
        this.topology = topology;
    }

    public Uni<Void> retry(Message<byte[]> original, int retry, Duration delay) {
        return send(original, Topology.retryKey(retry), delay, Map.of(ATTEMPT_HEADER, retry));
    }

    public Uni<Void> hold(Message<byte[]> original, int holds, Duration delay) {
        return send(original, Topology.HOLD_KEY, delay, Map.of(HOLDS_HEADER, holds));
    }

    /** Sends the write to wait in the hold queue while a dependency is away; it comes back after {@code delay}. */
    public Uni<Void> postpone(Message<byte[]> original, int postponed, Duration delay) {
        return send(original, Topology.HOLD_KEY, delay, Map.of(POSTPONED_HEADER, postponed));
    }

    public Uni<Void> deadLetter(Message<byte[]> original, String reason) {
        return send(original, Topology.DEAD_KEY, null, Map.of(REASON_HEADER, reason));
    }

    /** A header of the delivered message as an int (RabbitMQ may hand back any integer type), or 0. */
    public static int intHeader(Message<?> message, String name) {
        return message.getMetadata(IncomingRabbitMQMetadata.class)
                .map(metadata -> metadata.getHeaders().get(name))
                .map(value -> {
                    try {
                        return Integer.parseInt(value.toString());
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                })
                .orElse(0);
    }

    public static String messageId(Message<?> message) {
        return message.getMetadata(IncomingRabbitMQMetadata.class)
                .flatMap(IncomingRabbitMQMetadata::getMessageId)
                .orElse(null);
    }

    private Uni<Void> send(Message<byte[]> original, String routingKey, Duration delay, Map<String, Object> headers) {
        var incoming = original.getMetadata(IncomingRabbitMQMetadata.class);
        var allHeaders = new HashMap<String, Object>();
        incoming.ifPresent(metadata -> metadata.getHeaders().forEach((name, value) -> {
            // Only our own counters and the trace context travel on (not x-death, which RabbitMQ keeps itself).
            if (name.startsWith("x-tasks-") || name.equals("traceparent") || name.equals("tracestate")) {
                allHeaders.put(name, value);
            }
        }));
        allHeaders.putAll(headers);
        var metadata = OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(routingKey)
                .withDeliveryMode(PERSISTENT)
                .withContentType("application/json")
                .withHeaders(allHeaders);
        incoming.flatMap(IncomingRabbitMQMetadata::getMessageId).ifPresent(metadata::withMessageId);
        if (delay != null) {
            metadata.withExpiration(Long.toString(delay.toMillis()));
        }
        return emitter.sendMessage(Message.of(original.getPayload(), Metadata.of(metadata.build())))
                .onFailure()
                .invoke(topology::invalidate);
    }
}
