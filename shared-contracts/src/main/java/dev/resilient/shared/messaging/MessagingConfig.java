package dev.resilient.shared.messaging;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The RabbitMQ side of deferred writes, the same for both services (docs/design.md section 5). */
@ConfigMapping(prefix = "tasks.messaging")
public interface MessagingConfig {

    /** The prefix of every exchange and queue name ({@code dev.resilient.shared.contract.Topology}). */
    @WithDefault(dev.resilient.shared.contract.Topology.DEFAULT_PREFIX)
    String prefix();

    /** How long a new deferred write waits before the worker's first attempt. */
    @WithDefault("5S")
    Duration initialDelay();

    /** Retries after the first attempt, each from its own wait queue; then the dead-letter queue. */
    @WithDefault("3")
    int retries();
}
