package dev.resilient.task.api;

import jakarta.validation.constraints.NotNull;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.resilient.shared.contract.TaskStatus;

/**
 * The body of {@code POST /tasks}: a name, and optionally a status (default {@code pending}).
 *
 * <p>A class with public fields rather than a record: Jackson sets only the fields a body contains, which is how an
 * explicit {@code null} (rejected, see StrictJsonCustomizer) is told apart from a field left out. A record's
 * constructor receives both as null.
 */
@Schema(name = "CreateTaskRequest", description = "A new task. Any other field is rejected.")
public final class CreateTaskRequest {

    @Schema(required = true, minLength = 1, maxLength = TaskName.MAX_LENGTH, examples = "Read a book")
    @NotNull(message = "is required")
    @TaskName
    public String name;

    @Schema(description = "Defaults to pending.")
    public TaskStatus status;
}
