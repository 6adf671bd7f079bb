package dev.resilient.shared.messaging;

import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.quarkus.logging.Log;

import dev.resilient.shared.contract.Topology;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.rabbitmq.RabbitMQClient;

/**
 * Declares the deferred-write topology ({@link Topology}): idempotent, so both services run it at start-up and after
 * every reconnection. One step after the other, on one channel, in an order that never lets a message be dropped:
 * the alternate exchange and the queue that refuses what it gets come first, then the exchange that names it, then the
 * queues and their bindings. Until the exchange exists a publish fails (404); once it exists, a message it cannot route
 * yet is refused (nack). Either way the publisher knows; the broker never confirms a message no queue holds.
 *
 * <p>Arguments of an existing queue or exchange cannot change (RabbitMQ answers 406 PRECONDITION_FAILED and closes the
 * channel, so the attempt fails and the caller declares again on a new connection). What answered 406 is remembered in
 * {@code mismatched} for the next attempt: an exchange holds no messages, so one declared without the alternate
 * exchange (before it existed) is then deleted and declared again; a queue is never deleted, as it may hold writes, so
 * one with other arguments (a work queue from before the delivery limit) is then only checked and bound, with a warning
 * that says how to replace it.
 */
public final class TopologyDeclarer {

    private TopologyDeclarer() {}

    /**
     * Every exchange, queue and binding of the topology, with {@code retryLevels} retry queues.
     *
     * @param mismatched names that answered 406 in an earlier attempt (updated here); use a new client per attempt
     */
    public static Uni<Void> declare(RabbitMQClient client, Topology topology, int retryLevels, Set<String> mismatched) {
        var steps = new ArrayList<Supplier<Uni<Void>>>();
        steps.add(() -> queue(client, topology.unroutableQueue(), topology.unroutableQueueArguments(), mismatched));
        steps.add(() -> client.exchangeDeclare(topology.unroutableExchange(), "fanout", true, false));
        steps.add(() -> client.queueBind(topology.unroutableQueue(), topology.unroutableExchange(), ""));
        steps.add(() -> exchange(client, topology, mismatched));
        steps.add(() -> boundQueue(
                client, topology, topology.workQueue(), topology.workQueueArguments(), Topology.WORK_KEY, mismatched));
        steps.add(() -> boundQueue(
                client,
                topology,
                topology.delayQueue(),
                topology.waitQueueArguments(),
                Topology.DELAY_KEY,
                mismatched));
        steps.add(() -> boundQueue(
                client,
                topology,
                topology.deadLetterQueue(),
                topology.deadLetterQueueArguments(),
                Topology.DEAD_KEY,
                mismatched));
        steps.add(() -> boundQueue(
                client, topology, topology.holdQueue(), topology.waitQueueArguments(), Topology.HOLD_KEY, mismatched));
        steps.add(() -> replaceableQueue(client, topology.probeQueue(), topology.probeQueueArguments(), mismatched)
                .chain(() -> client.queueBind(topology.probeQueue(), topology.exchange(), Topology.PROBE_KEY)));
        for (int level = 1; level <= retryLevels; level++) {
            var retryLevel = level;
            steps.add(() -> boundQueue(
                    client,
                    topology,
                    topology.retryQueue(retryLevel),
                    topology.waitQueueArguments(),
                    Topology.retryKey(retryLevel),
                    mismatched));
        }
        return Multi.createFrom()
                .iterable(steps)
                .onItem()
                .transformToUniAndConcatenate(Supplier::get)
                .collect()
                .last()
                .replaceWithVoid();
    }

    private static Uni<Void> exchange(RabbitMQClient client, Topology topology, Set<String> mismatched) {
        var name = topology.exchange();
        var arguments = new JsonObject(Map.copyOf(topology.exchangeArguments()));
        if (mismatched.contains(name)) {
            Log.warnf(
                    "Exchange %s was declared with other arguments (no alternate exchange): declaring it again", name);
            return client.exchangeDelete(name)
                    .chain(() -> client.exchangeDeclare(name, "direct", true, false, arguments))
                    .invoke(() -> mismatched.remove(name));
        }
        return client.exchangeDeclare(name, "direct", true, false, arguments)
                .onFailure(TopologyDeclarer::isPreconditionFailed)
                .transform(failure -> mismatch(name, mismatched, failure));
    }

    private static Uni<Void> boundQueue(
            RabbitMQClient client,
            Topology topology,
            String name,
            Map<String, Object> arguments,
            String routingKey,
            Set<String> mismatched) {
        return queue(client, name, arguments, mismatched)
                .chain(() -> client.queueBind(name, topology.exchange(), routingKey));
    }

    private static Uni<Void> queue(
            RabbitMQClient client, String name, Map<String, Object> arguments, Set<String> mismatched) {
        if (mismatched.contains(name)) {
            Log.warnf(
                    "Queue %s exists with other arguments than %s and is used as it is. To give it these: stop the"
                            + " services, wait until it is empty, delete it (rabbitmqctl delete_queue %s) and start"
                            + " them again.",
                    name, arguments, name);
            return client.messageCount(name).replaceWithVoid(); // it still has to exist: a passive check
        }
        return client.queueDeclare(name, true, false, false, new JsonObject(Map.copyOf(arguments)))
                .replaceWithVoid()
                .onFailure(TopologyDeclarer::isPreconditionFailed)
                .transform(failure -> mismatch(name, mismatched, failure));
    }

    /** A queue that keeps nothing: declared before with other arguments, it is deleted and declared again. */
    private static Uni<Void> replaceableQueue(
            RabbitMQClient client, String name, Map<String, Object> arguments, Set<String> mismatched) {
        if (mismatched.contains(name)) {
            Log.infof("Queue %s exists with other arguments: declaring it again with %s", name, arguments);
            return client.queueDelete(name)
                    .chain(() -> client.queueDeclare(name, true, false, false, new JsonObject(Map.copyOf(arguments))))
                    .invoke(() -> mismatched.remove(name))
                    .replaceWithVoid();
        }
        return queue(client, name, arguments, mismatched);
    }

    /** Remembers a 406 for the next attempt, and fails this one: the broker closed its channel. */
    private static Throwable mismatch(String name, Set<String> mismatched, Throwable failure) {
        mismatched.add(name);
        return new IllegalStateException(name + " exists with other arguments; declaring again", failure);
    }

    private static boolean isPreconditionFailed(Throwable failure) {
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            if (String.valueOf(cause.getMessage()).contains("PRECONDITION_FAILED")) {
                return true;
            }
        }
        return false;
    }
}
