package dev.resilient.shared.messaging;

import java.util.ArrayList;
import java.util.Map;

import dev.resilient.shared.contract.Topology;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.rabbitmq.RabbitMQClient;

/**
 * Declares the deferred-write topology ({@link Topology}): idempotent, so both services run it at start-up and after
 * a reconnect. Arguments must never change for an existing queue (RabbitMQ answers 406 PRECONDITION_FAILED and the
 * queue keeps its old ones): after changing {@link Topology}'s arguments, delete the queues.
 */
public final class TopologyDeclarer {

    private TopologyDeclarer() {}

    /**
     * The exchange, the work, delay and dead-letter queues, and {@code retryLevels} retry queues plus the hold queue
     * (the worker's; the API passes 0 and declares only what it publishes to and what must exist before a message
     * can be routed).
     */
    public static Uni<Void> declare(RabbitMQClient client, Topology topology, int retryLevels) {
        var steps = new ArrayList<Uni<Void>>();
        steps.add(queue(client, topology.workQueue(), topology.workQueueArguments(), topology, Topology.WORK_KEY));
        steps.add(queue(client, topology.delayQueue(), topology.waitQueueArguments(), topology, Topology.DELAY_KEY));
        steps.add(queue(
                client, topology.deadLetterQueue(), topology.deadLetterQueueArguments(), topology, Topology.DEAD_KEY));
        if (retryLevels > 0) {
            steps.add(queue(client, topology.holdQueue(), topology.waitQueueArguments(), topology, Topology.HOLD_KEY));
            for (int level = 1; level <= retryLevels; level++) {
                steps.add(queue(
                        client,
                        topology.retryQueue(level),
                        topology.waitQueueArguments(),
                        topology,
                        Topology.retryKey(level)));
            }
        }
        return client.exchangeDeclare(topology.exchange(), "direct", true, false)
                .chain(() -> Uni.join().all(steps).andFailFast())
                .replaceWithVoid();
    }

    private static Uni<Void> queue(
            RabbitMQClient client, String name, Map<String, Object> arguments, Topology topology, String routingKey) {
        return client.queueDeclare(name, true, false, false, new JsonObject(Map.copyOf(arguments)))
                .chain(() -> client.queueBind(name, topology.exchange(), routingKey));
    }
}
