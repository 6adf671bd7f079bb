package dev.resilient.shared.redis;

/**
 * A CDI event: Redis no longer holds what this service wrote to it (it restarted without persistence, or was flushed).
 * Whatever the service remembers about Redis's content must be forgotten.
 *
 * @param incarnation the key's new value
 */
public record RedisDataLost(String incarnation) {}
