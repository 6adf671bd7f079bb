package dev.resilient.task.infrastructure.operations;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The operation states of deferred writes (DESIGN.md section 5). */
@ConfigMapping(prefix = "tasks.operations")
public interface OperationsConfig {

    /**
     * How long a state is kept: longer than the worker's whole retry schedule (5 s first delay, then up to 3 retries
     * of at most 120 s each), so a client polling its operation always gets an answer.
     */
    @WithDefault("1H")
    Duration ttl();

    /** The {@code Retry-After} a 202 and a poll of an unfinished operation suggest, in seconds. */
    @WithDefault("5")
    int pollAfterSeconds();

    /**
     * Whether a write PostgreSQL cannot take is deferred (202) rather than refused (503). Off until write-worker
     * consumes the work queue: the queue is declared by the worker, and a message published before it exists is
     * dropped by the exchange, which would make a 202 a lost write. Turn it on where the worker runs.
     */
    @WithDefault("false")
    boolean deferWrites();

    /** Prefix of the Redis keys. */
    @WithDefault("tasks:operations:")
    String keyPrefix();
}
