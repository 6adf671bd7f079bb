package dev.resilient.shared.redis;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a service notices that Redis lost its data ({@link RedisIncarnation}); the same for both services. */
@ConfigMapping(prefix = "tasks.redis")
public interface RedisWatchConfig {

    /**
     * The key that names the data Redis holds now: set once, never expiring, so it changes only when Redis lost
     * everything (a restart without persistence, a flush). Every service of a deployment must watch the same key.
     */
    @WithDefault("tasks:incarnation")
    String incarnationKey();

    /** How often the key is read: the longest a service goes on trusting what Redis no longer holds. */
    @WithDefault("1S")
    Duration watchInterval();
}
