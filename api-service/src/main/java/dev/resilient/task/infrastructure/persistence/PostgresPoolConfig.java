package dev.resilient.task.infrastructure.persistence;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Connection-level bounds of the PostgreSQL pool (see {@link PostgresPoolBounds}). */
@ConfigMapping(prefix = "tasks.postgres")
public interface PostgresPoolConfig {

    /** The longest a new connection may take to open; a healthy local server needs a few milliseconds. */
    @WithDefault("1S")
    Duration connectTimeout();

    /** The longest a query may wait for a free pooled connection before it fails (and counts against the breaker). */
    @WithDefault("1S")
    Duration acquireTimeout();

    /** How many queries may wait for a pooled connection at once; beyond that they fail at once. */
    @WithDefault("1000")
    int maxWaitQueue();
}
