package dev.resilient.worker.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.resilient.testsupport.Env;
import dev.resilient.testsupport.FaultProxy;

/** Puts the fault-injecting proxy between the worker and RabbitMQ (the tests' own publishing goes around it). */
public class ProxiedRabbitMq implements QuarkusTestResourceLifecycleManager {

    private static FaultProxy rabbitmq;

    public static FaultProxy rabbitmq() {
        return rabbitmq;
    }

    @Override
    public Map<String, String> start() {
        rabbitmq = FaultProxy.start(
                Env.get("RABBITMQ_HOST", "127.0.0.1"), Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
        return Map.of("rabbitmq-host", "127.0.0.1", "rabbitmq-port", String.valueOf(rabbitmq.port()));
    }

    @Override
    public void stop() {
        if (rabbitmq != null) {
            rabbitmq.close();
        }
    }
}
