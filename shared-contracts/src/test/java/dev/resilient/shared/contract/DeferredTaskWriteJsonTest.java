package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The message and the operation state survive JSON both ways, as they travel between the two services. */
@Tag("unit")
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
            var message =
                    new DeferredTaskWrite(UUID.randomUUID(), write, AT, 1_796_000_000_000_001L, UUID.randomUUID());

            var text = json.writeValueAsString(message);

            assertThat(json.readValue(text, DeferredTaskWrite.class)).isEqualTo(message);
        }
    }

    @Test
    void aMessageFromBeforePlacesIsReadWithPlaceZeroAndItsOperationIdAsPublication() throws Exception {
        var operation = UUID.randomUUID();
        var text = "{\"operationId\":\"" + operation + "\",\"acceptedAt\":\"2026-11-28T04:05:06Z\","
                + "\"write\":{\"type\":\"delete-all\",\"requestedAt\":\"2026-11-28T04:05:06Z\"}}";

        var message = json.readValue(text, DeferredTaskWrite.class);

        assertThat(message.placeOrZero()).isZero();
        assertThat(message.publication()).isEqualTo(operation);
    }

    @Test
    void aSupersededWriteFailsWithAConflictProblem() throws Exception {
        var task = new TaskResponse(UUID.randomUUID(), "n", TaskStatus.PENDING, AT, AT);
        var superseded = DeferredWriteState.finished(
                UUID.randomUUID(), new WriteOutcome.Superseded(task.id(), new TaskSnapshot(task, 4)), 1, AT);

        var state = json.readTree(json.writeValueAsString(superseded));

        assertThat(state.get("status").asText()).isEqualTo("failed");
        assertThat(state.get("resultStatus").asInt()).isEqualTo(409);
        assertThat(state.get("problem").get("type").asText()).isEqualTo(Problem.SUPERSEDED);
        assertThat(state.has("result")).isFalse();
    }

    @Test
    void theWriteKindIsNamedOnTheWire() throws Exception {
        var text = json.writeValueAsString(new TaskWrite.DeleteAllTasks(AT));

        assertThat(json.readTree(text).get("type").asText()).isEqualTo("delete-all");
    }

    @Test
    void aFinishedStateCarriesTheSynchronousAnswer() throws Exception {
        var task = new TaskResponse(UUID.randomUUID(), "n", TaskStatus.PENDING, AT, AT);
        var created = DeferredWriteState.finished(
                UUID.randomUUID(), new WriteOutcome.Created(new TaskSnapshot(task, 1)), 1, AT);
        var failed = DeferredWriteState.finished(UUID.randomUUID(), new WriteOutcome.NotFound(task.id()), 2, AT);

        var createdJson = json.readTree(json.writeValueAsString(created));
        var failedJson = json.readTree(json.writeValueAsString(failed));

        assertThat(createdJson.get("status").asText()).isEqualTo("completed");
        assertThat(createdJson.get("result").get("name").asText()).isEqualTo("n");
        assertThat(createdJson.has("problem")).isFalse();
        assertThat(failedJson.get("status").asText()).isEqualTo("failed");
        assertThat(failedJson.get("problem").get("status").asInt()).isEqualTo(404);
        assertThat(json.readValue(json.writeValueAsString(created), DeferredWriteState.class))
                .isEqualTo(created);
    }
}
