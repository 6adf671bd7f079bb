package dev.resilient.shared.contract;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every change a client can ask for, as a closed set of commands. The API applies one synchronously or defers it to
 * the worker; both hand it to the same write path, so either way it has the same effect and result.
 *
 * <p>{@code requestedAt} is the moment the API accepted the request: it stamps {@code createdAt}/{@code updatedAt},
 * so a deferred write carries the time the client asked, not the time the worker got to it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TaskWrite.CreateTask.class, name = "create"),
    @JsonSubTypes.Type(value = TaskWrite.UpdateTask.class, name = "update"),
    @JsonSubTypes.Type(value = TaskWrite.DeleteTask.class, name = "delete"),
    @JsonSubTypes.Type(value = TaskWrite.DeleteAllTasks.class, name = "delete-all")
})
public sealed interface TaskWrite {

    Instant requestedAt();

    /** Creates a task whose id was assigned when the request was accepted. */
    record CreateTask(UUID taskId, String name, TaskStatus status, Instant requestedAt) implements TaskWrite {}

    /** Changes the fields that are not null; {@code ifMatch} is null when the client sent no precondition. */
    record UpdateTask(UUID taskId, String name, TaskStatus status, IfMatch ifMatch, Instant requestedAt)
            implements TaskWrite {}

    /** Deletes one task; {@code ifMatch} is null when the client sent no precondition. */
    record DeleteTask(UUID taskId, IfMatch ifMatch, Instant requestedAt) implements TaskWrite {}

    /** Deletes every task. */
    record DeleteAllTasks(Instant requestedAt) implements TaskWrite {}
}
