package dev.resilient.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Each test application starts with no queued deferred write under the test prefixes: one left by an interrupted
 * earlier run (its place in a task's order lives 24 h) would otherwise make every later write queue behind it.
 */
@ApplicationScoped
public class ForgetDeferredWritesAtStart {

    void forget(@Observes StartupEvent event, DeferredWrites deferredWrites) {
        try {
            deferredWrites.forgetAll();
        } catch (RuntimeException unreachable) {
            // a test that starts the application with Redis or RabbitMQ out of reach: nothing can be queued there
            Log.infof("Deferred writes not forgotten at start: %s", unreachable.toString());
        }
    }
}
