package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The message and the operation state survive JSON both ways, as they travel between the two services. */
class DeferredTaskWriteJsonTest {

    private static final Instant AT = Instant.parse("2026-11-28T04:05:06.123456Z");
    private final ObjectMapper json =
            new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void everyWriteRoundTrips() throws Exception {
        var id = UUID.randomUUID();
        for (var write : List.of(
                new TaskWrite.CreateTask(id, "Read a book", TaskStatus.PENDING, AT),
                new TaskWrite.UpdateTask(id, null, TaskStatus.COMPLETED, IfMatch.oneOf(List.of("\"3\"")), AT),
                new TaskWrite.DeleteTask(id, IfMatch.any(), AT),
                new TaskWrite.DeleteAllTasks(AT))) {
            var message = new DeferredTaskWrite(UUID.randomUUID(), write, AT);

            var text = json.writeValueAsString(message);

            assertThat(json.readValue(text, DeferredTaskWrite.class)).isEqualTo(message);
        }
    }

    @Test
    void theWriteKindIsNamedOnTheWire() throws Exception {
        var text = json.writeValueAsString(new TaskWrite.DeleteAllTasks(AT));

        assertThat(json.readTree(text).get("type").asText()).isEqualTo("delete-all");
    }

    @Test
    void aFinishedStateCarriesTheSynchronousAnswer() throws Exception {
        var task = new TaskResponse(UUID.randomUUID(), "n", TaskStatus.PENDING, AT, AT);
        var created =
                OperationState.finished(UUID.randomUUID(), new WriteOutcome.Created(new TaskSnapshot(task, 1)), 1, AT);
        var failed = OperationState.finished(UUID.randomUUID(), new WriteOutcome.NotFound(task.id()), 2, AT);

        var createdJson = json.readTree(json.writeValueAsString(created));
        var failedJson = json.readTree(json.writeValueAsString(failed));

        assertThat(createdJson.get("status").asText()).isEqualTo("completed");
        assertThat(createdJson.get("result").get("name").asText()).isEqualTo("n");
        assertThat(createdJson.has("problem")).isFalse();
        assertThat(failedJson.get("status").asText()).isEqualTo("failed");
        assertThat(failedJson.get("problem").get("status").asInt()).isEqualTo(404);
        assertThat(json.readValue(json.writeValueAsString(created), OperationState.class))
                .isEqualTo(created);
    }
}
