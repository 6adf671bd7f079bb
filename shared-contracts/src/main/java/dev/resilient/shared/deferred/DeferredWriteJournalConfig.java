package dev.resilient.shared.deferred;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where deferred writes stand, in Redis (docs/design.md section 5); api-service and write-worker must agree on it. */
@ConfigMapping(prefix = "tasks.journal")
public interface DeferredWriteJournalConfig {

    /**
     * How long a deferred write may wait to be applied, from the moment it was accepted. A write still queued past it
     * (an outage longer than this, a worker stopped that long) is not applied: it ends {@code failed} with an {@code
     * expired} problem, because what its client meant by it may no longer hold. Everything in the journal that refers to
     * a waiting write (its state, its place in the queued order, the cancel mark of a withdrawn publication) lives
     * longer than this, so nothing a waiting write depends on expires before the write itself. Tune from the longest
     * outage deferred writes should bridge.
     */
    @WithDefault("24H")
    Duration horizon();

    /** How long a final state ({@code completed}, {@code failed}) can still be polled after it became final. */
    @WithDefault("1H")
    Duration ttl();

    /** Prefix of every Redis key of the journal (each test run, or dev mode, uses its own). */
    @WithDefault("tasks:operations:")
    String keyPrefix();

    /** How long what refers to a waiting write is kept: past the horizon, with a final state's polling time to spare. */
    default Duration waitingTtl() {
        return horizon().plus(ttl());
    }
}
