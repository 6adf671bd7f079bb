package dev.resilient.worker.apply;

import java.util.Locale;

/** What became of a delivered write, as {@code tasks_worker_deferred_writes_total{outcome}} counts it. */
public enum Outcome {
    COMPLETED,
    FAILED,
    SUPERSEDED,
    EXPIRED,
    RETRIED,
    DEAD_LETTERED,
    HELD,
    POSTPONED,
    DISCARDED,
    REQUEUED;

    /** The tag value: the name in lower case ({@code dead_lettered}). */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
