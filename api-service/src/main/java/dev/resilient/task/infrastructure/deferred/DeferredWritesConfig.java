package dev.resilient.task.infrastructure.deferred;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Deferred writes, API side (docs/design.md section 5). Where deferred-write states live and for how long is
 * {@code tasks.journal.*} (shared with the worker); the RabbitMQ names and the initial delay are
 * {@code tasks.messaging.*}.
 */
@ConfigMapping(prefix = "tasks.operations")
public interface DeferredWritesConfig {

    /** The {@code Retry-After} a 202 and a poll of an unfinished deferred write suggest, in seconds. */
    @WithDefault("5")
    int pollAfterSeconds();

    /**
     * Whether a write PostgreSQL cannot take is deferred (202) rather than refused (503). On by default: the API
     * declares the queues itself before its first publish, so a deferred write waits safely in RabbitMQ even if no
     * worker runs yet.
     */
    @WithDefault("true")
    boolean deferWrites();
}
