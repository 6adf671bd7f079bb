package dev.resilient.shared.messaging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.contract.Topology;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

/**
 * Makes sure the deferred-write topology exists before anything is published to it or consumed from it. Declared at
 * start-up in the background (a service starts even when RabbitMQ is down) and again on demand until it has worked
 * once: {@link #ready()} is what a publisher or consumer waits on. Uses its own short-lived connection, with the same
 * {@code rabbitmq-*} settings as the messaging connector.
 */
@ApplicationScoped
public class MessagingTopology {

    private final Vertx vertx;
    private final MessagingConfig config;
    private final RabbitMQOptions options;
    private final AtomicReference<Uni<Void>> declared = new AtomicReference<>();
    private volatile boolean done;

    public MessagingTopology(
            Vertx vertx,
            MessagingConfig config,
            @ConfigProperty(name = "rabbitmq-host", defaultValue = "127.0.0.1") String host,
            @ConfigProperty(name = "rabbitmq-port", defaultValue = "5672") int port,
            @ConfigProperty(name = "rabbitmq-username", defaultValue = "guest") String username,
            @ConfigProperty(name = "rabbitmq-password", defaultValue = "guest") String password) {
        this.vertx = vertx;
        this.config = config;
        // The port is read again per attempt: tests point it at a fault proxy through a system property.
        this.options = new RabbitMQOptions()
                .setHost(host)
                .setPort(port)
                .setUser(username)
                .setPassword(password)
                .setConnectionTimeout(2000)
                .setReconnectAttempts(0)
                .setAutomaticRecoveryEnabled(false);
    }

    public Topology topology() {
        return new Topology(config.prefix());
    }

    void declareAtStartup(@Observes StartupEvent event) {
        Uni.createFrom()
                .deferred(this::ready)
                .onFailure()
                .retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .indefinitely()
                .subscribe()
                .with(ignored -> {}, failure -> Log.warnf("RabbitMQ topology not declared: %s", failure.toString()));
    }

    /** Completes once the topology has been declared; fails (and tries afresh next time) while it cannot be. */
    public Uni<Void> ready() {
        if (done) {
            return Uni.createFrom().voidItem();
        }
        return declared.updateAndGet(current -> current != null ? current : attempt());
    }

    private Uni<Void> attempt() {
        return Uni.createFrom()
                .deferred(() -> {
                    var port = Integer.getInteger("rabbitmq-port", options.getPort());
                    var client = RabbitMQClient.create(vertx, new RabbitMQOptions(options).setPort(port));
                    return client.start()
                            .chain(() -> TopologyDeclarer.declare(client, topology(), config.retries()))
                            .eventually(() -> client.stop().onFailure().recoverWithNull());
                })
                .invoke(() -> {
                    done = true;
                    Log.infof("RabbitMQ topology under '%s' declared", config.prefix());
                })
                .onFailure()
                .invoke(() -> declared.set(null))
                .memoize()
                .indefinitely();
    }
}
