package dev.resilient.shared.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;

/** Makes Quarkus load {@link Credentials} at start-up, so a missing one fails the start there, naming it. */
@ApplicationScoped
class RequiredSettings {

    void check(@Observes StartupEvent started, Credentials credentials) {
        // nothing to do: loading the mapping is the check
    }
}
