package dev.resilient.common.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ProblemResponsesTest {

    @Test
    void knownStatusesHaveTheirStandardReasonPhrase() {
        assertThat(ProblemResponses.reasonPhrase(404)).isEqualTo("Not Found");
        assertThat(ProblemResponses.reasonPhrase(503)).isEqualTo("Service Unavailable");
        assertThat(ProblemResponses.reasonPhrase(422)).isEqualTo("Unprocessable Content");
        assertThat(ProblemResponses.reasonPhrase(429)).isEqualTo("Too Many Requests");
    }

    @Test
    void otherStatusesFallBackToTheirClass() {
        assertThat(ProblemResponses.reasonPhrase(599)).isEqualTo("Server Error");
        assertThat(ProblemResponses.reasonPhrase(499)).isEqualTo("Client Error");
    }

    @Test
    void formBodiesAreRecognisedWhateverTheirCaseOrParameters() {
        assertThat(RequestShapeFilters.isForm("application/x-www-form-urlencoded"))
                .isTrue();
        assertThat(RequestShapeFilters.isForm(" Multipart/Form-Data; boundary=x"))
                .isTrue();
        assertThat(RequestShapeFilters.isForm("application/json")).isFalse();
        assertThat(RequestShapeFilters.isForm(null)).isFalse();
    }
}
