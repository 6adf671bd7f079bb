package dev.resilient.testing;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.RedisDataSource;

import dev.resilient.shared.contract.Topology;
import dev.resilient.testsupport.Env;

import com.rabbitmq.client.ConnectionFactory;

/**
 * The API tests' deferred writes (queues under {@code tasks-test.writes}, journal under {@code tasks-test:operations:})
 * have no worker in these tests: emptied before and after each outage test, so a write deferred by one test never
 * queues another test's writes behind it.
 */
@ApplicationScoped
public class DeferredWrites {

    public static final Topology TOPOLOGY = new Topology("tasks-test.writes");
    public static final String JOURNAL_PREFIX = "tasks-test:operations:";

    private final RedisDataSource redis;

    public DeferredWrites(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Takes every message waiting in the delay and work queues: the operation ids of the writes the broker holds. */
    public java.util.Set<String> takeQueuedOperations() {
        var operations = new java.util.HashSet<String>();
        try (var connection = connect();
                var channel = connection.createChannel()) {
            for (var queue : new String[] {TOPOLOGY.delayQueue(), TOPOLOGY.workQueue()}) {
                for (var message = channel.basicGet(queue, true);
                        message != null;
                        message = channel.basicGet(queue, true)) {
                    operations.add(
                            JSON.readTree(message.getBody()).path("operationId").asText());
                }
            }
            return operations;
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ is not reachable", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** Deletes queues (or everything: queues and exchanges), as an operator, or a broker reset, would. */
    public void deleteFromBroker(boolean everything, String... queues) {
        try (var connection = connect();
                var channel = connection.createChannel()) {
            for (var queue : queues) {
                channel.queueDelete(queue);
            }
            if (everything) {
                for (var queue : new String[] {
                    TOPOLOGY.workQueue(), TOPOLOGY.delayQueue(), TOPOLOGY.deadLetterQueue(), TOPOLOGY.holdQueue(),
                    TOPOLOGY.retryQueue(1), TOPOLOGY.retryQueue(2), TOPOLOGY.retryQueue(3), TOPOLOGY.unroutableQueue(),
                    TOPOLOGY.probeQueue()
                }) {
                    channel.queueDelete(queue);
                }
                channel.exchangeDelete(TOPOLOGY.exchange());
                channel.exchangeDelete(TOPOLOGY.unroutableExchange());
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ is not reachable", e);
        }
    }

    private static com.rabbitmq.client.Connection connect() throws IOException, TimeoutException {
        var factory = new ConnectionFactory();
        factory.setHost(Env.get("RABBITMQ_HOST", "127.0.0.1"));
        factory.setPort(Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
        return factory.newConnection("api-test-broker");
    }

    public void forgetAll() {
        var keys = redis.key().keys(JOURNAL_PREFIX + "*");
        if (!keys.isEmpty()) {
            redis.key().del(keys.toArray(String[]::new));
        }
        var factory = new ConnectionFactory();
        factory.setHost(Env.get("RABBITMQ_HOST", "127.0.0.1"));
        factory.setPort(Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
        try (var connection = factory.newConnection("api-test-cleanup")) {
            for (var queue : new String[] {TOPOLOGY.workQueue(), TOPOLOGY.delayQueue(), TOPOLOGY.deadLetterQueue()}) {
                var channel = connection.createChannel();
                try {
                    channel.queuePurge(queue);
                } catch (IOException notDeclaredYet) {
                    // the API declares the queues in the background; nothing to purge before that
                }
            }
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ is not reachable", e);
        }
    }
}
