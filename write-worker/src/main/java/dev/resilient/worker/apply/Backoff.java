package dev.resilient.worker.apply;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.resilient.worker.config.WorkerConfig;

/** Exponential backoff with jitter: retry n waits base * 2^(n-1), capped, less a random share of it. */
final class Backoff {

    private Backoff() {}

    static Duration before(int retry, WorkerConfig config) {
        var exponential = config.retryBase().multipliedBy(1L << Math.min(retry - 1, 20));
        var capped = exponential.compareTo(config.retryCap()) > 0 ? config.retryCap() : exponential;
        var jitter = config.retryJitter() * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(1, Math.round(capped.toMillis() * (1 - jitter))));
    }
}
