package dev.resilient.task.infrastructure.persistence;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;

import dev.resilient.shared.persistence.RunToCompletion;
import dev.resilient.shared.persistence.TaskRepository;

/**
 * Runs the read path once before the HTTP server takes requests, after the schema migration: the first read of a
 * fresh process opens the pool's first connection and Hibernate Reactive's first session on cold code, which on a
 * busy machine took longer than the {@code postgres-read} breaker's 1 s timeout, so the first client got a 503 while
 * PostgreSQL was fine. Bounded and optional: with PostgreSQL down, start-up goes on at once (refused) or after
 * {@link #AT_MOST} (unanswered).
 */
@ApplicationScoped
class ReadPathWarmUp {

    static final Duration AT_MOST = Duration.ofSeconds(3);

    void warmUp(
            @Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent started, TaskRepository tasks) {
        try {
            VertxContextSupport.subscribeAndAwait(() -> RunToCompletion.of(() -> Panache.withSession(tasks::count))
                    .ifNoItem()
                    .after(AT_MOST)
                    .fail());
        } catch (Throwable e) {
            Log.infof("Read path not warmed up at start-up (%s); the first reads will be slower", e.toString());
        }
    }
}
