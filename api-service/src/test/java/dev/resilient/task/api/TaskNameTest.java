package dev.resilient.task.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TaskNameTest {

    record Named(@TaskName String name) {}

    private static jakarta.validation.ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void validator() {
        factory = Validation.byDefaultProvider()
                .configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void close() {
        factory.close();
    }

    @Test
    void printableNamesUpToTheLimitAreAccepted() {
        assertThat(problems("Read a book")).isEmpty();
        assertThat(problems("x".repeat(TaskName.MAX_LENGTH))).isEmpty();
        assertThat(problems("Café ☕ 😀 日本")).isEmpty();
    }

    @Test
    void nullIsLeftToNotNullSoThatAPartialUpdateMayOmitTheName() {
        assertThat(problems(null)).isEmpty();
    }

    @Test
    void blankNamesAreRefused() {
        assertThat(problems("")).containsExactly("must not be blank");
        assertThat(problems(" \t ")).containsExactly("must not be blank");
    }

    @Test
    void theLimitCountsCharactersAsPostgresqlDoesNotUtf16Units() {
        var emoji = "😀"; // two UTF-16 units, one character
        assertThat(problems(emoji.repeat(TaskName.MAX_LENGTH))).isEmpty();
        assertThat(problems(emoji.repeat(TaskName.MAX_LENGTH + 1))).containsExactly("must be at most 255 characters");
    }

    @Test
    void controlCharactersAndUnpairedSurrogatesAreRefused() {
        var refusal = "must not contain control characters or invalid Unicode";
        assertThat(problems("a\u0000b")).containsExactly(refusal);
        assertThat(problems("line\nbreak")).containsExactly(refusal);
        assertThat(problems("a\u007Fb")).containsExactly(refusal);
        assertThat(problems("half \uD83D")).containsExactly(refusal);
    }

    private static List<String> problems(String name) {
        return validator.validate(new Named(name)).stream()
                .map(ConstraintViolation::getMessage)
                .toList();
    }
}
