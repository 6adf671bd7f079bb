package dev.resilient.shared.messaging;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.contract.Topology;

import com.rabbitmq.client.Address;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQOptions;

/**
 * Makes sure the deferred-write topology exists before anything is published to it or consumed from it, and again
 * whenever the broker may have lost it: at start-up in the background (a service starts even when RabbitMQ is down),
 * after every reconnection to the broker (one that restarted, or was reset, may have forgotten every definition), and
 * on demand after a publish failed ({@link #invalidate()}: a queue may have been deleted). {@link #ready()} is what a
 * publisher or a consumer waits on.
 *
 * <p>Each attempt declares over a short-lived connection of its own (the same {@code rabbitmq-*} settings as the
 * messaging connector), so a channel the broker closed (a 406 for a queue with other arguments) never carries over to
 * the next attempt. A second, long-lived connection only watches for reconnections. With {@code rabbitmq-addresses}
 * (a cluster's nodes, {@code host:port,host:port}) both try the nodes in that order, as the connector does.
 */
@ApplicationScoped
public class MessagingTopology {

    private final Vertx vertx;
    private final MessagingConfig config;
    private final RabbitMQOptions options;
    private final AtomicReference<Uni<Void>> declared = new AtomicReference<>();
    private final Set<String> mismatched = ConcurrentHashMap.newKeySet();
    private volatile boolean done;
    private volatile RabbitMQClient watcher;

    public MessagingTopology(
            Vertx vertx,
            MessagingConfig config,
            @ConfigProperty(name = "rabbitmq-host", defaultValue = "127.0.0.1") String host,
            @ConfigProperty(name = "rabbitmq-port", defaultValue = "5672") int port,
            @ConfigProperty(name = "rabbitmq-addresses") Optional<String> addresses,
            @ConfigProperty(name = "rabbitmq-username", defaultValue = "guest") String username,
            @ConfigProperty(name = "rabbitmq-password", defaultValue = "guest") String password) {
        this.vertx = vertx;
        this.config = config;
        this.options = new RabbitMQOptions()
                .setHost(host)
                .setPort(port)
                .setUser(username)
                .setPassword(password)
                .setConnectionTimeout(2000)
                .setAutomaticRecoveryEnabled(false);
        addresses.ifPresent(list -> options.setAddresses(Arrays.asList(Address.parseAddresses(list))));
    }

    public Topology topology() {
        return new Topology(config.prefix());
    }

    void declareAtStartup(@Observes StartupEvent event) {
        declareInTheBackground();
        watcher = RabbitMQClient.create(
                vertx, options().setReconnectAttempts(Integer.MAX_VALUE).setReconnectInterval(1000));
        watcher.getDelegate().addConnectionEstablishedCallback(connected -> {
            invalidate();
            declareInTheBackground();
            connected.complete();
        });
        watcher.start()
                .onFailure()
                .retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .indefinitely()
                .subscribe()
                .with(ignored -> {}, failure -> Log.warnf("RabbitMQ not reachable: %s", failure.toString()));
    }

    void stopWatching(@Observes ShutdownEvent event) {
        if (watcher != null) {
            watcher.stopAndForget();
        }
    }

    /** Completes once the topology has been declared; fails (and tries afresh next time) while it cannot be. */
    public Uni<Void> ready() {
        if (done) {
            return Uni.createFrom().voidItem();
        }
        return declared.updateAndGet(current -> current != null ? current : attempt());
    }

    /** The broker may have lost (part of) the topology: the next {@link #ready()} declares it again. */
    public void invalidate() {
        done = false;
        declared.set(null);
    }

    private void declareInTheBackground() {
        Uni.createFrom()
                .deferred(this::ready)
                .onFailure()
                .retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .indefinitely()
                .subscribe()
                .with(ignored -> {}, failure -> Log.warnf("RabbitMQ topology not declared: %s", failure.toString()));
    }

    /**
     * Completes when a node of the broker accepts a connection: a fresh one, so that no long-lived client's idea of its
     * own connection answers for the broker.
     */
    public Uni<Void> reachable() {
        return withConnection(client -> Uni.createFrom().voidItem());
    }

    private Uni<Void> withConnection(Function<RabbitMQClient, Uni<Void>> work) {
        return Uni.createFrom().deferred(() -> {
            var client = RabbitMQClient.create(vertx, options().setReconnectAttempts(0));
            return client.start()
                    .chain(() -> work.apply(client))
                    .eventually(() -> client.stop().onFailure().recoverWithNull());
        });
    }

    private Uni<Void> attempt() {
        return withConnection(client -> TopologyDeclarer.declare(client, topology(), config.retries(), mismatched))
                .invoke(() -> {
                    done = true;
                    Log.infof("RabbitMQ topology under '%s' declared", config.prefix());
                })
                .onFailure()
                .invoke(() -> declared.set(null))
                .memoize()
                .indefinitely();
    }

    /** The options, with the port read again: tests point it at a fault proxy through a system property. */
    private RabbitMQOptions options() {
        return new RabbitMQOptions(options).setPort(Integer.getInteger("rabbitmq-port", options.getPort()));
    }
}
