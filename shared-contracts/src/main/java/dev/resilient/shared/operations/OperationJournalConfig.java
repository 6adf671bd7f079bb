package dev.resilient.shared.operations;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where deferred writes stand, in Redis (DESIGN.md section 5); shared by api-service and write-worker. */
@ConfigMapping(prefix = "tasks.journal")
public interface OperationJournalConfig {

    /**
     * How long an operation state is kept after its last change: longer than the worker's whole retry schedule (5 s
     * initial delay, then up to 3 retries of at most 120 s each), so a client polling its operation gets an answer.
     */
    @WithDefault("1H")
    Duration ttl();

    /**
     * How long the per-task order of queued writes is kept after the last write joined it. Longer than any outage
     * the worker is expected to wait out: past it, queued writes to a task are applied in queue order only.
     */
    @WithDefault("24H")
    Duration orderTtl();

    /** Prefix of every Redis key of the journal (each test run, or dev mode, uses its own). */
    @WithDefault("tasks:operations:")
    String keyPrefix();
}
