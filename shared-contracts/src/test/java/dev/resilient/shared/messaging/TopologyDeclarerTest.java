package dev.resilient.shared.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.shared.contract.Topology;
import dev.resilient.testsupport.Env;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

/**
 * The deferred-write topology on the real local RabbitMQ, under a prefix of each test's own: what the broker does with
 * a message it cannot route, with a message delivered too often, and with definitions left by an older version.
 */
@QuarkusTest
class TopologyDeclarerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    private final Set<String> mismatched = ConcurrentHashMap.newKeySet();
    private Topology topology;
    private Connection connection;

    @BeforeEach
    void connect() throws Exception {
        topology = new Topology("tasks-test-topology-" + UUID.randomUUID());
        var factory = new ConnectionFactory();
        factory.setHost(Env.get("RABBITMQ_HOST", "127.0.0.1"));
        factory.setPort(Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
        connection = factory.newConnection("topology-test");
    }

    @AfterEach
    void deleteEverything() throws Exception {
        try (var channel = connection.createChannel()) {
            for (var queue : new String[] {
                topology.workQueue(),
                topology.delayQueue(),
                topology.holdQueue(),
                topology.deadLetterQueue(),
                topology.retryQueue(1),
                topology.unroutableQueue(),
                topology.probeQueue()
            }) {
                channel.queueDelete(queue);
            }
            channel.exchangeDelete(topology.exchange());
            channel.exchangeDelete(topology.unroutableExchange());
        }
        connection.close();
    }

    @Test
    void aMessageTheExchangeCannotRouteIsRefusedNeverConfirmed() throws Exception {
        declare();

        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), "no-such-queue", null, bytes("lost?"));
            assertThat(channel.waitForConfirms(WAIT.toMillis()))
                    .as("confirmed? the broker answers with a nack")
                    .isFalse();
        }
        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), Topology.WORK_KEY, null, bytes("routed"));
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
        assertThat(ready(topology.workQueue())).isOne();
        assertThat(ready(topology.unroutableQueue())).as("it keeps nothing").isZero();
    }

    @Test
    void aTrialMessageIsConfirmedAndKeptNowhere() throws Exception {
        declare();

        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), Topology.PROBE_KEY, null, new byte[0]);
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
        assertThat(ready(topology.probeQueue())).isZero();
    }

    @Test
    void theWorkQueueDeadLettersAMessageDeliveredMoreOftenThanItsLimit() throws Exception {
        declare();
        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), Topology.WORK_KEY, null, bytes("fails every time"));
            channel.waitForConfirmsOrDie(WAIT.toMillis());

            for (int delivery = 0; delivery <= Topology.DELIVERY_LIMIT; delivery++) {
                var message =
                        await().atMost(WAIT).until(() -> channel.basicGet(topology.workQueue(), false), m -> m != null);
                assertThat(((Number) message.getProps().getHeaders().get("x-delivery-count")).intValue())
                        .isEqualTo(delivery);
                channel.basicNack(message.getEnvelope().getDeliveryTag(), false, true);
            }

            await().atMost(WAIT).until(() -> ready(topology.deadLetterQueue()) == 1);
            assertThat(ready(topology.workQueue())).isZero();
        }
    }

    @Test
    void definitionsLeftByAnOlderVersionAreKeptOrReplacedAndItStillRefusesWhatItCannotRoute() throws Exception {
        try (var channel = connection.createChannel()) {
            // As declared before the alternate exchange and the delivery limit existed, holding a write.
            channel.exchangeDeclare(topology.exchange(), "direct", true);
            channel.queueDeclare(
                    topology.workQueue(),
                    true,
                    false,
                    false,
                    Map.of(
                            "x-queue-type",
                            "quorum",
                            "x-dead-letter-exchange",
                            topology.exchange(),
                            "x-dead-letter-routing-key",
                            Topology.DEAD_KEY));
            channel.queueBind(topology.workQueue(), topology.exchange(), Topology.WORK_KEY);
            channel.basicPublish(topology.exchange(), Topology.WORK_KEY, null, bytes("written before the upgrade"));
        }

        assertThat(declare())
                .as("attempts: the first meets the old definitions")
                .isGreaterThan(1);
        assertThat(declare()).as("attempts, once they are known").isOne();

        assertThat(ready(topology.workQueue()))
                .as("the old work queue, with its write")
                .isOne();
        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), "no-such-queue", null, bytes("lost?"));
            assertThat(channel.waitForConfirms(WAIT.toMillis()))
                    .as("confirmed?")
                    .isFalse();
        }
        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), Topology.WORK_KEY, null, bytes("written after"));
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
        assertThat(ready(topology.workQueue()))
                .as("bound again to the new exchange")
                .isEqualTo(2);
    }

    @Test
    void aClassicTrialQueueLeftByAnOlderVersionIsReplacedByAQuorumOne() throws Exception {
        try (var channel = connection.createChannel()) {
            channel.queueDeclare(
                    topology.probeQueue(), true, false, false, Map.of("x-max-length", 0, "x-overflow", "drop-head"));
        }

        assertThat(declare()).as("attempts: the first meets the classic queue").isGreaterThan(1);

        try (var channel = connection.createChannel()) {
            // A declaration with other arguments than the queue's would close the channel with a 406.
            channel.queueDeclare(topology.probeQueue(), true, false, false, topology.probeQueueArguments());
        }
        try (var channel = confirmingChannel()) {
            channel.basicPublish(topology.exchange(), Topology.PROBE_KEY, null, new byte[0]);
            channel.waitForConfirmsOrDie(WAIT.toMillis());
        }
        assertThat(ready(topology.probeQueue())).isZero();
    }

    /** As MessagingTopology declares: an attempt per new connection, until one succeeds (a 406 fails an attempt). */
    private int declare() {
        for (int attempt = 1; ; attempt++) {
            var client = RabbitMQClient.create(
                    vertx,
                    new RabbitMQOptions()
                            .setHost(Env.get("RABBITMQ_HOST", "127.0.0.1"))
                            .setPort(Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")))
                            .setReconnectAttempts(0)
                            .setAutomaticRecoveryEnabled(false));
            try {
                client.start()
                        .chain(() -> TopologyDeclarer.declare(client, topology, 1, mismatched))
                        .await()
                        .atMost(WAIT);
                return attempt;
            } catch (RuntimeException failed) {
                if (attempt == 3) {
                    throw failed;
                }
            } finally {
                client.stopAndForget();
            }
        }
    }

    private Channel confirmingChannel() throws IOException {
        var channel = connection.createChannel();
        channel.confirmSelect();
        return channel;
    }

    private long ready(String queue) throws Exception {
        try (var channel = connection.createChannel()) {
            return channel.messageCount(queue);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
