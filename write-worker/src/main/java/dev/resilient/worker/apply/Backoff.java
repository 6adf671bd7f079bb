package dev.resilient.worker.apply;

import java.time.Duration;

/**
 * Exponential backoff with jitter: retry n waits base * 2^(n-1), capped, less a random share of it.
 *
 * @param jitter the share of the delay that may be taken off (0.25: the delay is between 75% and 100% of it)
 */
public record Backoff(Duration base, Duration cap, double jitter) {

    /**
     * The wait before retry {@code retry} (1 for the first).
     *
     * @param draw a random number in [0, 1): how much of the jitter is taken off
     */
    public Duration before(int retry, double draw) {
        var exponential = base.multipliedBy(1L << Math.min(retry - 1, 20));
        var capped = exponential.compareTo(cap) > 0 ? cap : exponential;
        return Duration.ofMillis(Math.max(1, Math.round(capped.toMillis() * (1 - jitter * draw))));
    }
}
