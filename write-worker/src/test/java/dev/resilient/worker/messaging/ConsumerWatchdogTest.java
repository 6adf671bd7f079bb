package dev.resilient.worker.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * A worker whose consumers cannot reach RabbitMQ while the broker itself answers (here: the consumers alone are
 * pointed at a port where nothing listens) ends itself with {@link ConsumerWatchdog#EXIT_CODE} once the stall limit
 * has passed, instead of idling as not ready for ever. The other side, a broker that is down, is
 * {@code RabbitMqOutageWorkerTest}: the worker waits and stays live.
 */
@QuarkusMainTest
@TestProfile(ConsumerWatchdogTest.ConsumersCutOff.class)
class ConsumerWatchdogTest {

    public static class ConsumersCutOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.messaging.incoming.task-writes.port",
                    String.valueOf(aPortNobodyListensOn()),
                    "tasks.worker.consumer-stall-limit",
                    "2S");
        }
    }

    @Test
    @Launch(
            value = {},
            exitCode = ConsumerWatchdog.EXIT_CODE)
    void aWorkerWhoseConsumersStayDisconnectedWhileTheBrokerAnswersExits(LaunchResult result) {
        assertThat(result.getOutput()).contains("RabbitMQ channels disconnected for", "while the broker answered");
    }

    private static int aPortNobodyListensOn() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
