package dev.resilient.shared.persistence;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Shields a Hibernate Reactive session or transaction from cancellation, so that once started it always ends: commits
 * or rolls back, and gives its connection back to the pool.
 *
 * <p>Hibernate Reactive does neither for a cancelled Uni (hibernate-reactive#2926, quarkus#51576): the connection
 * stays checked out inside a live transaction, holding its row locks, or goes back to the pool still in it, where the
 * next transaction's statements join it and its COMMIT may silently roll them back (PostgreSQL answers COMMIT of an
 * aborted transaction with ROLLBACK, not an error). Cancellation is routine here: every {@code @Timeout} of the
 * breakers cancels the call it gives up on, and so does a client closing its HTTP connection. The drain benchmark
 * once lost six acknowledged writes that way.
 *
 * <p>The caller still gets its timeout at once; the work goes on in the background and its result is dropped. A caller
 * that gave up on a write must therefore treat its outcome as unknown, which the write path does: a deferred write is
 * recorded in {@code applied_operations} and a deferred create finds its task (see {@link TaskWriter}).
 */
public final class RunToCompletion {

    private RunToCompletion() {}

    /** {@code work}, subscribed on the caller's context; cancelling the returned Uni no longer cancels it. */
    public static <T> Uni<T> of(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> work.get().subscribe().with(emitter::complete, emitter::fail));
    }
}
