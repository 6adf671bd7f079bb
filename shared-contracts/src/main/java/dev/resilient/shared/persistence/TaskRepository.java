package dev.resilient.shared.persistence;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

import io.smallrye.mutiny.Uni;

/** Queries on {@link Task}; callers open the session or transaction (none is opened here). */
@ApplicationScoped
public class TaskRepository implements PanacheRepositoryBase<Task, UUID> {

    /**
     * At most {@code size} tasks, oldest first, after the task created at {@code afterCreatedAt} with id {@code
     * afterId} (from the start when null). The id breaks ties between tasks created in the same microsecond, so the
     * order is total and a position stays valid whatever is inserted or deleted meanwhile; the index on (created_at,
     * id) makes every page cost the same, however deep.
     */
    public Uni<List<Task>> pageOldestFirst(Instant afterCreatedAt, UUID afterId, int size) {
        var query = afterCreatedAt == null
                ? find("order by createdAt, id")
                : find("where (createdAt, id) > (?1, ?2) order by createdAt, id", afterCreatedAt, afterId);
        return query.range(0, size - 1).list();
    }

    /**
     * Deletes every task whose last write was accepted before {@code place}: a delete-all never removes a task written
     * by a write accepted after it. Answers how many it deleted.
     */
    public Uni<Long> deleteAllBefore(long place) {
        return delete("lastWritePlace < ?1", place);
    }

    /** The task, locked against concurrent writers until the transaction ends; null when there is none. */
    public Uni<Task> findForUpdate(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Deletes a task this transaction has loaded and locked, with one {@code DELETE} statement instead of
     * {@code session.remove}: Hibernate Reactive's entity delete loses its continuation when deletes run at the same
     * time in other sessions (its shared {@code ReactiveDeleteCoordinator} keeps a future in a field,
     * hibernate-reactive#1713), so the transaction never commits and keeps the row locked; the load test found
     * transactions left {@code idle in transaction} after their delete with as few as four concurrent deletes. Pending
     * changes are flushed first, so earlier writes of a batch reach PostgreSQL before the delete; the task is detached
     * after, so a later write of the same batch looks it up again and finds it gone.
     */
    public Uni<Void> deleteLoaded(Task task) {
        return flush().chain(() -> delete("id", task.getId()))
                .chain(deleted -> getSession())
                .invoke(session -> session.detach(task))
                .replaceWithVoid();
    }
}
