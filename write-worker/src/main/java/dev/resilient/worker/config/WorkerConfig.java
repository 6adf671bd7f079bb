package dev.resilient.worker.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How the worker paces deferred writes (docs/design.md section 5). The initial delay and the number of retries are shared
 * with the API ({@code tasks.messaging.*}); prefetch and concurrency are the connector's
 * ({@code mp.messaging.incoming.task-writes.max-outstanding-messages} and {@code .concurrency}).
 */
@ConfigMapping(prefix = "tasks.worker")
public interface WorkerConfig {

    /** The wait before the first retry; each further retry waits twice as long, up to {@link #retryCap()}. */
    @WithDefault("30S")
    Duration retryBase();

    @WithDefault("120S")
    Duration retryCap();

    /** The share of each retry delay drawn at random (0.25: between 75% and 100% of it), so retries spread out. */
    @WithDefault("0.25")
    double retryJitter();

    /** How long a write waits in the hold queue before asking again whether the writes before it are done. */
    @WithDefault("1S")
    Duration holdDelay();

    /**
     * How many times a write waits for an older write to the same task before it presumes that write lost (its
     * publisher died between recording and publishing it) and goes ahead. Counted only while the worker is working,
     * so a long outage does not use them up; 600 holds of 1 s outlast the whole retry schedule of a real write.
     */
    @WithDefault("600")
    int maxHolds();

    /**
     * How many times a write that fails in a way the worker did not foresee is tried before it ends failed in the
     * dead-letter queue. Below the work queue's delivery limit (the broker's own backstop, shared-contracts
     * {@code Topology}).
     */
    @WithDefault("5")
    int unexpectedFailureAttempts();

    /** At most this many deferred writes are applied in one transaction. */
    @WithDefault("64")
    int batchSize();

    /** How long a write whose turn has come waits for others to share its transaction. */
    @WithDefault("2MS")
    Duration batchLinger();

    /** While a breaker is open, how often the worker checks whether its dependency is back. */
    @WithDefault("2S")
    Duration probeInterval();

    /**
     * How long the record of an applied write ({@code applied_operations}) is kept; older ones are deleted. It must be
     * longer than the journal's horizon ({@code tasks.journal.horizon}, checked at start-up): a delivery older than the
     * horizon is never applied, so only younger ones need the record to stay exactly once. Keep it longer than the
     * API's idempotency record TTL ({@code tasks.idempotency.record-ttl}, 24 h) too: within that, a client's resend
     * answers what its first attempt committed.
     */
    @WithDefault("48H")
    Duration appliedOperationsRetention();

    /** How often records past their retention are deleted and the table's size is counted. */
    @WithDefault("10M")
    Duration housekeepingInterval();

    /**
     * How long the consumers may stay disconnected from RabbitMQ while the broker answers before the worker exits, so
     * that its orchestrator starts it afresh ({@code ConsumerWatchdog}); 0 switches the watchdog off.
     */
    @WithDefault("60S")
    Duration consumerStallLimit();

    /** On shutdown, how long the worker waits for the writes in hand to finish before it exits anyway. */
    @WithDefault("10S")
    Duration shutdownGrace();
}
