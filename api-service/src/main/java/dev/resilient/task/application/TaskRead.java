package dev.resilient.task.application;

import dev.resilient.shared.contract.TaskSnapshot;

/**
 * A task as read: from PostgreSQL, or from the fallback cache while PostgreSQL cannot answer (the client is told).
 *
 * @param snapshot null when there is no such task
 */
public record TaskRead(TaskSnapshot snapshot, boolean fromFallback) {

    static TaskRead fresh(TaskSnapshot snapshot) {
        return new TaskRead(snapshot, false);
    }

    static TaskRead fallback(TaskSnapshot snapshot) {
        return new TaskRead(snapshot, true);
    }
}
