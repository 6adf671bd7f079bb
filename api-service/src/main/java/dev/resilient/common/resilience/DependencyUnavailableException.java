package dev.resilient.common.resilience;

/**
 * A dependency could not answer (failed, timed out, or its breaker is open) and no degraded answer exists: the client
 * gets 503 with {@code Retry-After}. The message names the dependency for the log, never for the client.
 */
public class DependencyUnavailableException extends RuntimeException {

    private final long retryAfterSeconds;

    public DependencyUnavailableException(String breaker, Throwable cause) {
        super(breaker + " unavailable", cause, false, false);
        this.retryAfterSeconds = GuardedCalls.retryAfterSeconds(breaker);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
