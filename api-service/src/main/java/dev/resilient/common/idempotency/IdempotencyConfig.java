package dev.resilient.common.idempotency;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Safe retries of writes through {@code Idempotency-Key} (docs/design.md section 3). */
@ConfigMapping(prefix = "tasks.idempotency")
public interface IdempotencyConfig {

    /**
     * Whether writes need and honour {@code Idempotency-Key}. A benchmarking aid only, to measure what the layer
     * costs: switched off, a retried write is applied twice.
     */
    @WithDefault("true")
    boolean enabled();

    /** How long a finished write's response is kept for replay; a retry after that runs again. */
    @WithDefault("24H")
    Duration recordTtl();

    /**
     * How long a claim on a key lives while its request runs. It must outlive the slowest request (bounded by the
     * dependency timeouts), or a retry could run next to it; if the instance dies mid-request, the key is free again
     * after this. Tune from the p99.9 of write latency.
     */
    @WithDefault("10S")
    Duration lockTtl();

    /** How long a duplicate waits for the request in flight to finish before it gets 409 + Retry-After. */
    @WithDefault("2S")
    Duration inFlightWait();

    /** How often a waiting duplicate looks again. */
    @WithDefault("50MS")
    Duration inFlightPoll();

    /** Seconds a client is told to wait (Retry-After) after a 409 in-flight conflict or a 503. */
    @WithDefault("1")
    int retryAfterSeconds();

    /** Prefix of the Redis keys, so several deployments or test runs can share one Redis. */
    @WithDefault("tasks:idempotency:")
    String keyPrefix();
}
