package dev.resilient.common.admission;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How many requests api-service serves at once before it sheds ({@link Admission}). */
@ConfigMapping(prefix = "tasks.api.admission")
public interface AdmissionConfig {

    /**
     * Requests in flight at once, all kinds together; 0 turns admission off. At the limit, a request of a kind over its
     * share is refused with 503. 200 is twice the article's 100 connections (never shed) and, measured in
     * loadtest/results/overload.md, keeps p99 low at 400 and 1 000 connections where no limit lets breakers open.
     */
    @WithDefault("200")
    int limit();

    /** Shares of the limit each kind keeps under overload (the others may use what one leaves). */
    @WithDefault("0.45")
    double readShare();

    @WithDefault("0.45")
    double writeShare();

    /** Polls of deferred writes: a client told 202 can always learn how its write ended. */
    @WithDefault("0.10")
    double pollShare();

    /**
     * How long a shed request waits for its 503. No work is queued meanwhile: it is a timer, and it keeps a client
     * that retries at once (ignoring {@code Retry-After}) from turning shedding into a busy loop that takes the CPU
     * from the requests being served.
     */
    @WithDefault("100MS")
    Duration shedPause();

    /** The {@code Retry-After} of a shed request, in seconds. */
    @WithDefault("1")
    int retryAfterSeconds();
}
