package dev.resilient.task.infrastructure.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import dev.resilient.common.resilience.Dependencies;
import dev.resilient.common.resilience.PublishProbe;
import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.Topology;
import dev.resilient.shared.messaging.MessagingConfig;
import dev.resilient.shared.messaging.MessagingTopology;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;

/**
 * Publishes a deferred write to RabbitMQ, persistent, and completes only when the broker has confirmed it (publisher
 * confirms): a 202 is never answered for a write the broker has not taken. Never fire-and-forget.
 *
 * <p>It goes to the delay queue with the initial delay as its TTL, then on to the work queue; the queues are declared
 * ({@link MessagingTopology}) before the first publish. A message the broker cannot route (it lost its definitions) is
 * refused with a nack, never confirmed: the publish fails (503), and the topology is declared again for the next.
 */
@ApplicationScoped
public class DeferredWritePublisher implements PublishProbe {

    private static final int PERSISTENT = 2;

    private final MutinyEmitter<String> emitter;
    private final ObjectMapper json;
    private final Dependencies dependencies;
    private final MessagingTopology topology;
    private final String initialDelay;

    public DeferredWritePublisher(
            @Channel(Topology.CHANNEL) MutinyEmitter<String> emitter,
            ObjectMapper json,
            Dependencies dependencies,
            MessagingTopology topology,
            MessagingConfig config) {
        this.emitter = emitter;
        this.json = json;
        this.dependencies = dependencies;
        this.topology = topology;
        this.initialDelay = Long.toString(config.initialDelay().toMillis());
    }

    public Uni<Void> publish(DeferredTaskWrite write) {
        var metadata = OutgoingRabbitMQMetadata.builder()
                .withDeliveryMode(PERSISTENT)
                .withMessageId(write.publication().toString())
                .withContentType("application/json")
                .withRoutingKey(Topology.DELAY_KEY)
                .withExpiration(initialDelay)
                .build();
        var message = Message.of(serialise(write), Metadata.of(metadata));
        return dependencies
                .publish(() -> topology.ready().chain(() -> emitter.sendMessage(message)))
                .onFailure()
                .invoke(topology::invalidate);
    }

    /** An empty message to the probe queue, on the same channel as the writes (see {@code BreakerTrials}). */
    @Override
    public Uni<Void> probe() {
        var metadata = OutgoingRabbitMQMetadata.builder()
                .withRoutingKey(Topology.PROBE_KEY)
                .build();
        return topology.ready().chain(() -> emitter.sendMessage(Message.of("", Metadata.of(metadata))));
    }

    private String serialise(DeferredTaskWrite write) {
        try {
            return json.writeValueAsString(write);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a deferred write", e);
        }
    }
}
