package dev.resilient.common.warmup;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The warm-up before readiness ({@link WarmUp}). */
@ConfigMapping(prefix = "tasks.api.warm-up")
public interface WarmUpConfig {

    /** Whether readiness waits for a warm-up at all (off in tests and dev mode, where nothing is under load). */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long the warm-up runs at most. It ends sooner when a dependency does not answer as a healthy one would:
     * readiness never waits for an outage to end.
     */
    @WithDefault("20S")
    Duration duration();

    /** Clients running the warm-up's cycles at once: enough to keep both cores busy, few enough not to queue. */
    @WithDefault("4")
    int clients();
}
