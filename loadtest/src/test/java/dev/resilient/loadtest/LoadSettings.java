package dev.resilient.loadtest;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The knobs of a load run, read from {@code -D} system properties so Maven and the Makefile can set them.
 *
 * @param users virtual users, all started at once, like the seed's 100 k6 VUs
 * @param duration how long each user keeps looping; a write in flight at the end is still finished
 * @param rampUp over how long the users start (evenly); zero starts them all at once, as the seed's k6 run did. The
 *     chaos and bench runs ramp up, so a JVM that has just started is not judged by its first, cold seconds.
 * @param baseUrl where api-service listens
 * @param ledgerDir where the client-side ledger of writes goes, for the verifier
 * @param requestTimeout per HTTP request; past it the outcome of a write is unknown
 * @param maxRetries how many times a write answered 503 is resent with the same Idempotency-Key
 * @param pollLimit how long a deferred write (202) is polled before the client gives up on it
 * @param runId prefix of every task name ({@code lt-<runId>-}) so the verifier can pick out this run's rows
 */
record LoadSettings(
        int users,
        Duration duration,
        Duration rampUp,
        String baseUrl,
        Path ledgerDir,
        Duration requestTimeout,
        int maxRetries,
        Duration pollLimit,
        String runId) {

    static LoadSettings fromSystemProperties() {
        return new LoadSettings(
                Integer.getInteger("users", 100),
                Duration.ofSeconds(Long.getLong("duration", 300)),
                Duration.ofSeconds(Long.getLong("rampUp", 0)),
                System.getProperty("baseUrl", "http://localhost:8080"),
                Path.of(System.getProperty("ledger", "target/ledger")),
                Duration.ofMillis(Long.getLong("requestTimeout", 10_000)),
                Integer.getInteger("maxRetries", 20),
                Duration.ofSeconds(Long.getLong("pollLimit", 120)),
                System.getProperty("runId", Long.toString(System.currentTimeMillis())));
    }

    /** How long after the start the last write may end: ramp-up, then every 503 retry at its capped wait and polling. */
    Duration longestWrite() {
        return rampUp.plus(requestTimeout).plus(Pacing.MAX_WAIT.plus(requestTimeout).multipliedBy(maxRetries)).plus(pollLimit);
    }
}
