package dev.resilient.task.api;

import jakarta.validation.constraints.NotNull;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.resilient.shared.contract.TaskStatus;

/**
 * The body of {@code POST /tasks}: a name, and optionally a status (default {@code pending}).
 *
 * <p>A class with setters rather than a record: Jackson sets only the fields a body contains, which is how an
 * explicit {@code null} (rejected, see StrictJsonCustomizer) is told apart from a field left out. A record's
 * constructor receives both as null.
 */
@Schema(name = "CreateTaskRequest", description = "A new task. Any other field is rejected.")
public final class CreateTaskRequest {

    @Schema(required = true, minLength = 1, maxLength = TaskName.MAX_LENGTH, examples = "Read a book")
    @NotNull(message = "is required")
    @TaskName
    private String name;

    @Schema(description = "Defaults to pending.")
    private TaskStatus status;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public TaskStatus getStatus() {
        return status;
    }

    public void setStatus(TaskStatus status) {
        this.status = status;
    }
}
