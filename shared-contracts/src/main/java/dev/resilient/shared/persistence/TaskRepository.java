package dev.resilient.shared.persistence;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

import io.smallrye.mutiny.Uni;

/** Queries on {@link Task}; callers open the session or transaction (none is opened here). */
@ApplicationScoped
public class TaskRepository implements PanacheRepositoryBase<Task, UUID> {

    /** Oldest first; the id breaks ties between tasks created in the same microsecond, so the order is stable. */
    public Uni<List<Task>> listOldestFirst() {
        return find("order by createdAt, id").list();
    }

    /** The task, locked against concurrent writers until the transaction ends; null when there is none. */
    public Uni<Task> findForUpdate(UUID id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }
}
