package dev.resilient.worker.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.quarkus.logging.Log;

import dev.resilient.shared.contract.Topology;
import dev.resilient.worker.apply.DeferredWriteProcessor;
import dev.resilient.worker.resilience.ConsumptionGate;

import io.smallrye.mutiny.Uni;

/**
 * The work queue's consumer. Bodies arrive as bytes (content type overridden), so an unreadable one reaches the
 * processor instead of failing in the connector. Prefetch and the number of consumers are channel settings
 * ({@code max-outstanding-messages}, {@code concurrency}); their product bounds the writes in hand.
 */
@ApplicationScoped
public class DeferredWriteConsumer {

    private final DeferredWriteProcessor processor;
    private final ConsumptionGate gate;

    public DeferredWriteConsumer(DeferredWriteProcessor processor, ConsumptionGate gate) {
        this.processor = processor;
        this.gate = gate;
    }

    /**
     * Starts handling the message and asks for the next one at once: the writes in hand are bounded by the prefetch
     * ({@code max-outstanding-messages}), since each is acked only when it is done, and handling many at a time is
     * what lets {@link dev.resilient.worker.apply.WriteBatcher} fill its batches. The processor acks or rejects
     * every message itself, whatever happens; the gate counts the messages in hand, which a shutdown waits for.
     */
    @Incoming(Topology.CHANNEL)
    public Uni<Void> consume(Message<byte[]> message) {
        // Not returned: SmallRye awaits a returned Uni before the next delivery, so batches could never fill.
        gate.started();
        processor
                .process(message)
                .onTermination()
                .invoke(gate::finished)
                .subscribe()
                .with(done -> {}, failure -> Log.errorf(failure, "Unhandled failure"));
        return Uni.createFrom().voidItem();
    }
}
