package dev.resilient.loadtest;

import java.time.Duration;

/** How long a client waits before resending a 503 or polling a 202 again: what the server asked, within bounds. */
final class Pacing {

    /** A single wait never exceeds this, so one user is never parked long on an optimistic Retry-After. */
    static final Duration MAX_WAIT = Duration.ofSeconds(5);

    /** When the server names no delay (or an HTTP date), as the seed's client did. */
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(1);

    /** Retry-After: 0 is legal; a floor keeps a poll loop from spinning on it. */
    static final Duration MIN_WAIT = Duration.ofMillis(100);

    private Pacing() {
    }

    /**
     * The wait asked for by the Retry-After header, else by the body's {@code retryAfter}, else the default.
     *
     * @param header the Retry-After header value, null when absent
     * @param bodySeconds the body's retryAfter in seconds, null when absent
     */
    static Duration retryAfter(String header, Integer bodySeconds) {
        var asked = seconds(header);
        if (asked == null) {
            asked = bodySeconds == null ? DEFAULT_WAIT : Duration.ofSeconds(bodySeconds);
        }
        if (asked.compareTo(MAX_WAIT) > 0) {
            return MAX_WAIT;
        }
        return asked.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : asked;
    }

    private static Duration seconds(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }
}
