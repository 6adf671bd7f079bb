package dev.resilient.worker.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.contract.Topology;
import dev.resilient.shared.resilience.BreakerMetrics;
import dev.resilient.worker.config.WorkerConfig;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.reactive.messaging.PausableChannel;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Decides whether the worker takes messages. While a breaker of {@link WorkerGuards} is not closed, the incoming
 * channel is paused (messages wait safely in RabbitMQ instead of burning their retries) and the dependency is probed
 * every {@code tasks.worker.probe-interval} through the same breaker; once every breaker is closed again, the channel
 * resumes and drains the backlog at full speed. On shutdown it stops taking messages and waits (bounded) for the ones
 * in hand; anything unacknowledged when the connection closes is redelivered, and applied once.
 */
@ApplicationScoped
public class ConsumptionGate {

    private final CircuitBreakerMaintenance breakers;
    private final ChannelRegistry channels;
    private final WorkerGuards guards;
    private final Pool postgres;
    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;
    private final WorkerConfig config;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private long probeTimer = -1;
    private boolean paused;
    private volatile boolean stopping;

    public ConsumptionGate(
            CircuitBreakerMaintenance breakers,
            ChannelRegistry channels,
            WorkerGuards guards,
            Pool postgres,
            ReactiveRedisDataSource redis,
            Vertx vertx,
            WorkerConfig config,
            MeterRegistry registry) {
        this.breakers = breakers;
        this.channels = channels;
        this.guards = guards;
        this.postgres = postgres;
        this.redis = redis;
        this.vertx = vertx;
        this.config = config;
        this.registry = registry;
    }

    void watch(@Observes StartupEvent event) {
        BreakerMetrics.register(registry, breakers, WorkerGuards.BREAKERS);
        for (var name : WorkerGuards.BREAKERS) {
            breakers.onStateChange(name, state -> update());
        }
    }

    /** A message is being processed; pair with {@link #finished()}. */
    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished() {
        inFlight.decrementAndGet();
    }

    public synchronized boolean isPaused() {
        return paused;
    }

    private synchronized void update() {
        if (stopping) {
            return;
        }
        var healthy = WorkerGuards.BREAKERS.stream()
                .allMatch(name -> breakers.currentState(name) == CircuitBreakerState.CLOSED);
        if (!healthy && !paused) {
            paused = true;
            pausables().forEach(PausableChannel::pause);
            probeTimer = vertx.setPeriodic(config.probeInterval().toMillis(), id -> probe());
            Log.warn("Deferred writes paused until PostgreSQL and Redis answer again");
        } else if (healthy && paused) {
            paused = false;
            vertx.cancelTimer(probeTimer);
            pausables().forEach(PausableChannel::resume);
            Log.info("Deferred writes resumed");
        }
    }

    /** One call through each breaker that is not closed: when it goes through, the breaker closes. */
    private void probe() {
        if (breakers.currentState(WorkerGuards.POSTGRES) != CircuitBreakerState.CLOSED) {
            guards.postgres(() -> postgres.query("SELECT 1").execute())
                    .subscribe()
                    .with(ignored -> {}, failure -> {});
        }
        if (breakers.currentState(WorkerGuards.REDIS) != CircuitBreakerState.CLOSED) {
            guards.redis(() -> redis.execute("PING")).subscribe().with(ignored -> {}, failure -> {});
        }
    }

    void drain(@Observes ShutdownEvent event) throws InterruptedException {
        synchronized (this) {
            stopping = true;
            pausables().forEach(PausableChannel::pause);
        }
        var deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Log.infof("Stopped taking deferred writes; %d still in hand will be redelivered", inFlight.get());
    }

    /** The channel, or its copies when {@code concurrency} runs several consumers. */
    private List<PausableChannel> pausables() {
        var found = new ArrayList<PausableChannel>();
        var whole = channels.getPausable(Topology.CHANNEL);
        if (whole != null) {
            found.add(whole);
        }
        for (int copy = 1; copy <= 256; copy++) {
            var pausable = channels.getPausable(Topology.CHANNEL + "$" + copy);
            if (pausable == null) {
                break;
            }
            found.add(pausable);
        }
        return found;
    }
}
