package dev.resilient.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;

import dev.resilient.testsupport.Env;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

/**
 * A private queue bound like the delay queue, to see what the API publishes: exclusive, gone when closed. Open it
 * before the write, so the message is copied to it.
 */
public final class DelayQueueProbe implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;
    private final Channel channel;
    private final String queue;

    public DelayQueueProbe() throws IOException, TimeoutException {
        var factory = new ConnectionFactory();
        factory.setHost(Env.get("RABBITMQ_HOST", "127.0.0.1"));
        factory.setPort(Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
        connection = factory.newConnection();
        channel = connection.createChannel();
        queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, DeferredWrites.TOPOLOGY.exchange(), "delay");
    }

    /**
     * The message of this operation. Other tests' writes refused with 503 while the broker was away may still arrive
     * late (a send cannot be called back once handed to the client): they are skipped.
     */
    public GetResponse awaitMessageOf(String operationId) {
        var delivered = new AtomicReference<GetResponse>();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            var message = channel.basicGet(queue, true);
            if (message != null && operationId.equals(operationOf(message))) {
                delivered.set(message);
            }
            return delivered.get() != null;
        });
        return delivered.get();
    }

    private static String operationOf(GetResponse message) throws IOException {
        return JSON.readTree(message.getBody()).path("operationId").asText(null);
    }

    /** The next message, or null. */
    public GetResponse next() throws IOException {
        return channel.basicGet(queue, true);
    }

    @Override
    public void close() throws IOException, TimeoutException {
        channel.close();
        connection.close();
    }
}
