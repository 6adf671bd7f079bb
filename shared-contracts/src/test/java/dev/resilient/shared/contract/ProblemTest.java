package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.contract.Problem.FieldError;

import com.fasterxml.jackson.databind.ObjectMapper;

@Tag("unit")
class ProblemTest {

    private static final UUID TASK = UUID.fromString("7fbccabe-0635-450d-92db-d0fe4829759a");

    @Test
    void aProblemWhoseStatusSaysItAllIsAboutBlank() {
        var problem = Problem.of(503, "Service Unavailable", "later");

        assertThat(problem.type()).isEqualTo(Problem.BLANK);
        assertThat(problem.status()).isEqualTo(503);
        assertThat(problem.title()).isEqualTo("Service Unavailable");
        assertThat(problem.instance()).isNull();
        assertThat(problem.errors()).isNull();
    }

    @Test
    void anInvalidRequestListsItsFieldErrorsOrNone() {
        var errors = new ArrayList<>(List.of(new FieldError("name", "must not be blank")));
        var withErrors = Problem.invalidRequest("1 field", errors);
        errors.clear();

        assertThat(withErrors.type()).isEqualTo(Problem.INVALID_REQUEST);
        assertThat(withErrors.status()).isEqualTo(400);
        assertThat(withErrors.errors()).containsExactly(new FieldError("name", "must not be blank"));
        assertThat(Problem.invalidRequest("no field", List.of()).errors()).isNull();
    }

    @Test
    void theBusinessProblemsNameTheTaskAndTheirStatus() {
        assertThat(Problem.taskNotFound(TASK).status()).isEqualTo(404);
        assertThat(Problem.taskNotFound(TASK).detail()).contains(TASK.toString());
        assertThat(Problem.superseded(TASK).status()).isEqualTo(409);
        assertThat(Problem.superseded(TASK).type()).isEqualTo(Problem.SUPERSEDED);
        assertThat(Problem.preconditionFailed(TASK, "\"7\"").status()).isEqualTo(412);
        assertThat(Problem.preconditionFailed(TASK, "\"7\"").detail()).contains(TASK.toString(), "\"7\"");
    }

    @Test
    void anExpiredWriteSaysTheHorizonInReadableUnits() {
        var expired = Problem.expired(Duration.ofHours(24));

        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.type()).isEqualTo(Problem.EXPIRED);
        assertThat(expired.detail()).contains("longer than 24h ");
        assertThat(Problem.expired(Duration.ofMinutes(90)).detail()).contains("longer than 1h30m ");
    }

    @Test
    void withInstanceKeepsEverythingElse() {
        var problem = Problem.superseded(TASK);

        var located = problem.withInstance("/tasks/" + TASK);

        assertThat(located.instance()).isEqualTo("/tasks/" + TASK);
        assertThat(located)
                .usingRecursiveComparison()
                .ignoringFields("instance")
                .isEqualTo(problem);
    }

    @Test
    void absentMembersAreLeftOutOfTheJson() throws Exception {
        var json = new ObjectMapper().writeValueAsString(Problem.of(404, "Not Found", "gone"));

        assertThat(json)
                .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"gone\"}");
    }
}
