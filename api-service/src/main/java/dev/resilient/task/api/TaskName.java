package dev.resilient.task.api;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A task name: 1 to 255 characters (code points, as PostgreSQL counts them), not blank, and printable: no control
 * characters (PostgreSQL cannot store U+0000) and no unpaired surrogates (not valid Unicode). Null is left to
 * {@code @NotNull}, so a partial update may omit the name.
 */
@Documented
@Constraint(validatedBy = TaskName.Validator.class)
@Target({FIELD, PARAMETER, RECORD_COMPONENT})
@Retention(RUNTIME)
public @interface TaskName {

    int MAX_LENGTH = 255;

    String message() default "must be 1 to 255 printable characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks a name and says precisely what is wrong with it. */
    class Validator implements ConstraintValidator<TaskName, String> {

        @Override
        public boolean isValid(String name, ConstraintValidatorContext context) {
            if (name == null) {
                return true;
            }
            var problem = problemWith(name);
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
            return false;
        }

        private static String problemWith(String name) {
            if (name.isBlank()) {
                return "must not be blank";
            }
            if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
                return "must be at most " + MAX_LENGTH + " characters";
            }
            var unprintable = name.codePoints()
                    .anyMatch(codePoint ->
                            Character.isISOControl(codePoint) || Character.getType(codePoint) == Character.SURROGATE);
            return unprintable ? "must not contain control characters or invalid Unicode" : null;
        }
    }
}
