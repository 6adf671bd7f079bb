package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class WriteOutcomeTest {

    private static final UUID ID = UUID.fromString("7fbccabe-0635-450d-92db-d0fe4829759a");
    private static final TaskSnapshot SNAPSHOT =
            new TaskSnapshot(new TaskResponse(ID, "n", TaskStatus.PENDING, Instant.EPOCH, Instant.EPOCH), 4);

    @Test
    void eachOutcomeAnswersTheStatusOfTheSynchronousCall() {
        assertThat(new WriteOutcome.Created(SNAPSHOT).status()).isEqualTo(201);
        assertThat(new WriteOutcome.Updated(SNAPSHOT).status()).isEqualTo(200);
        assertThat(new WriteOutcome.Deleted().status()).isEqualTo(204);
        assertThat(new WriteOutcome.NotFound(ID).status()).isEqualTo(404);
        assertThat(new WriteOutcome.PreconditionFailed(ID, SNAPSHOT).status()).isEqualTo(412);
    }

    @Test
    void businessFailuresCarryTheProblemTheApiAnswers() {
        var notFound = new WriteOutcome.NotFound(ID).problem();
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.type()).isEqualTo(Problem.BLANK);
        assertThat(notFound.detail()).contains(ID.toString());

        var stale = new WriteOutcome.PreconditionFailed(ID, SNAPSHOT).problem();
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.detail()).contains("\"4\"");
    }

    @Test
    void statusesHaveLowercaseWireValues() {
        assertThat(TaskStatus.wireValues()).containsExactly("pending", "in_progress", "completed");
        assertThat(TaskStatus.fromWireValue("in_progress")).isEqualTo(TaskStatus.IN_PROGRESS);
    }
}
