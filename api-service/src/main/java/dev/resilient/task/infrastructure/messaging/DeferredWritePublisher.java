package dev.resilient.task.infrastructure.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.Topology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;

/**
 * Publishes a deferred write to RabbitMQ, persistent, and completes only when the broker has confirmed it (publisher
 * confirms): a 202 is never answered for a write the broker has not taken. Never fire-and-forget.
 */
@ApplicationScoped
public class DeferredWritePublisher {

    private static final int PERSISTENT = 2;

    private final MutinyEmitter<String> emitter;
    private final ObjectMapper json;
    private final GuardedCalls guarded;

    public DeferredWritePublisher(
            @Channel(Topology.CHANNEL) MutinyEmitter<String> emitter, ObjectMapper json, GuardedCalls guarded) {
        this.emitter = emitter;
        this.json = json;
        this.guarded = guarded;
    }

    public Uni<Void> publish(DeferredTaskWrite write) {
        var metadata = OutgoingRabbitMQMetadata.builder()
                .withDeliveryMode(PERSISTENT)
                .withMessageId(write.operationId().toString())
                .withContentType("application/json")
                .build();
        var message = Message.of(serialise(write), Metadata.of(metadata));
        return guarded.rabbitPublish(() -> emitter.sendMessage(message))
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.RABBITMQ_PUBLISH, failure));
    }

    private String serialise(DeferredTaskWrite write) {
        try {
            return json.writeValueAsString(write);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a deferred write", e);
        }
    }
}
