package dev.resilient.shared.cache;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The fallback cache of task reads (docs/design.md section 4); api-service and write-worker must agree on it. */
@ConfigMapping(prefix = "tasks.cache")
public interface TaskCacheConfig {

    /**
     * How long a copy lives without being refreshed. It bounds how stale a fallback answer can be when a refresh was
     * lost, and how long an outage can be bridged for a task nobody read or wrote meanwhile. Tune from how long
     * outages last and how often tasks are read.
     */
    @WithDefault("1H")
    Duration ttl();

    /**
     * How many pages of the task list the cache keeps (pages of the default size, the first ones): what a list read
     * can be answered with while PostgreSQL is down. Never the whole table: a list beyond them answers 503 then.
     */
    @WithDefault("10")
    int listPages();

    /** Prefix of the Redis keys, so several deployments or test runs can share one Redis. */
    @WithDefault("tasks:cache:")
    String keyPrefix();
}
