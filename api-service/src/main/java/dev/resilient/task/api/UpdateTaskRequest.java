package dev.resilient.task.api;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.resilient.shared.contract.TaskStatus;

/**
 * The body of {@code PUT /tasks/{id}}: a partial update; a field left out keeps its value, an explicit null is
 * rejected. A class with public fields for the reason given on {@link CreateTaskRequest}.
 */
@Schema(name = "UpdateTaskRequest", description = "The fields to change, at least one. Any other field is rejected.")
@UpdateTaskRequest.ChangesSomething
public final class UpdateTaskRequest {

    @Schema(minLength = 1, maxLength = TaskName.MAX_LENGTH, examples = "Read two books")
    @TaskName
    public String name;

    public TaskStatus status;

    /** An update must name at least one field: an empty object is more likely a client bug than a wish. */
    @Constraint(validatedBy = ChangesSomething.Validator.class)
    @Target(TYPE)
    @Retention(RUNTIME)
    public @interface ChangesSomething {

        String message() default "must change at least one of: name, status";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        /** Checks that the request names at least one field. */
        class Validator implements ConstraintValidator<ChangesSomething, UpdateTaskRequest> {

            @Override
            public boolean isValid(UpdateTaskRequest request, ConstraintValidatorContext context) {
                return request == null || request.name != null || request.status != null;
            }
        }
    }
}
