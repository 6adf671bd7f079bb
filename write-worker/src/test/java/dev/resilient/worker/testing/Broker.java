package dev.resilient.worker.testing;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.Topology;
import dev.resilient.testsupport.Env;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

/**
 * The test's own connection to the real local RabbitMQ: publishes deferred writes the way api-service does, and looks
 * into the queues of the worker's test topology.
 */
public final class Broker implements AutoCloseable {

    public static final Topology TOPOLOGY = new Topology("tasks-test-worker.writes");
    private static final int RETRIES = 3;

    private final Connection connection;
    private final Channel channel;
    private final ObjectMapper json;

    public Broker(ObjectMapper json) {
        this.json = json;
        try {
            var factory = new ConnectionFactory();
            factory.setHost(Env.get("RABBITMQ_HOST", "127.0.0.1"));
            factory.setPort(Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
            connection = factory.newConnection("worker-test");
            channel = connection.createChannel();
            channel.confirmSelect();
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("RabbitMQ is not reachable", e);
        }
    }

    /** Publishes straight to the work queue (the API's initial delay is the API's business), persistent, confirmed. */
    public void publish(DeferredTaskWrite write) {
        try {
            publishRaw(json.writeValueAsBytes(write), write.publication().toString(), Map.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void publishRaw(byte[] body, String messageId, Map<String, Object> headers) {
        var properties = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType("application/json")
                .messageId(messageId)
                .headers(new HashMap<>(headers))
                .build();
        try {
            channel.basicPublish(TOPOLOGY.exchange(), Topology.WORK_KEY, properties, body);
            channel.waitForConfirmsOrDie(5_000);
        } catch (IOException | InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Publish not confirmed", e);
        }
    }

    /** Messages ready in a queue (not counting those delivered and unacknowledged). */
    public long ready(String queue) {
        try {
            return channel.messageCount(queue);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes one message off a queue, or null. */
    public GetResponse take(String queue) {
        try {
            return channel.basicGet(queue, true);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Empties every queue of the test topology. */
    public void purge() {
        try {
            channel.queuePurge(TOPOLOGY.workQueue());
            channel.queuePurge(TOPOLOGY.delayQueue());
            channel.queuePurge(TOPOLOGY.holdQueue());
            channel.queuePurge(TOPOLOGY.deadLetterQueue());
            for (int level = 1; level <= RETRIES; level++) {
                channel.queuePurge(TOPOLOGY.retryQueue(level));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException, TimeoutException {
        connection.close();
    }
}
