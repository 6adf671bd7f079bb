package dev.resilient.common.resilience;

import io.smallrye.mutiny.Uni;

/** A trial publish on the publisher's own connection, which the broker confirms and keeps nowhere (a breaker trial). */
public interface PublishProbe {

    /** Completes when the broker confirmed the trial message; fails as a real publish would. */
    Uni<Void> probe();
}
