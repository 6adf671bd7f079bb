package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.contract.DeferredWriteState.Status;

@Tag("unit")
class DeferredWriteStateTest {

    private static final UUID OPERATION = UUID.fromString("3f0a3c1e-5a7b-4c1d-9e2f-0b1c2d3e4f50");
    private static final UUID TASK = UUID.fromString("7fbccabe-0635-450d-92db-d0fe4829759a");
    private static final Instant AT = Instant.parse("2026-12-06T08:00:00Z");
    private static final TaskSnapshot SNAPSHOT =
            new TaskSnapshot(new TaskResponse(TASK, "n", TaskStatus.PENDING, AT, AT), 3);

    @Test
    void aNewOperationIsPendingWithNoAttemptsAndNoResult() {
        var pending = DeferredWriteState.pending(OPERATION, AT);

        assertThat(pending.status()).isEqualTo(Status.PENDING);
        assertThat(pending.attempts()).isZero();
        assertThat(pending.resultStatus()).isNull();
        assertThat(pending.result()).isNull();
        assertThat(pending.problem()).isNull();
        assertThat(pending.updatedAt()).isEqualTo(AT);
    }

    @Test
    void onlyCompletedAndFailedAreFinal() {
        assertThat(Status.PENDING.isFinal()).isFalse();
        assertThat(Status.IN_PROGRESS.isFinal()).isFalse();
        assertThat(Status.COMPLETED.isFinal()).isTrue();
        assertThat(Status.FAILED.isFinal()).isTrue();
    }

    @Test
    void appliedWritesCompleteWithWhatTheSynchronousCallWouldHaveAnswered() {
        var created = DeferredWriteState.finished(OPERATION, new WriteOutcome.Created(SNAPSHOT), 2, AT);
        var updated = DeferredWriteState.finished(OPERATION, new WriteOutcome.Updated(SNAPSHOT), 1, AT);
        var deleted = DeferredWriteState.finished(OPERATION, new WriteOutcome.Deleted(), 1, AT);

        assertThat(created.status()).isEqualTo(Status.COMPLETED);
        assertThat(created.resultStatus()).isEqualTo(201);
        assertThat(created.result()).isEqualTo(SNAPSHOT.task());
        assertThat(created.attempts()).isEqualTo(2);
        assertThat(updated.resultStatus()).isEqualTo(200);
        assertThat(updated.result()).isEqualTo(SNAPSHOT.task());
        assertThat(deleted.status()).isEqualTo(Status.COMPLETED);
        assertThat(deleted.resultStatus()).isEqualTo(204);
        assertThat(deleted.result()).isNull();
        assertThat(deleted.problem()).isNull();
    }

    @Test
    void businessRefusalsFailWithTheProblemTheApiWouldHaveAnswered() {
        var notFound = DeferredWriteState.finished(OPERATION, new WriteOutcome.NotFound(TASK), 1, AT);
        var superseded = DeferredWriteState.finished(OPERATION, new WriteOutcome.Superseded(TASK, SNAPSHOT), 1, AT);
        var stale = DeferredWriteState.finished(OPERATION, new WriteOutcome.PreconditionFailed(TASK, SNAPSHOT), 1, AT);

        assertThat(notFound.status()).isEqualTo(Status.FAILED);
        assertThat(notFound.resultStatus()).isEqualTo(404);
        assertThat(notFound.problem()).isEqualTo(Problem.taskNotFound(TASK));
        assertThat(superseded.resultStatus()).isEqualTo(409);
        assertThat(superseded.problem().type()).isEqualTo(Problem.SUPERSEDED);
        assertThat(stale.resultStatus()).isEqualTo(412);
        assertThat(stale.problem().detail()).contains(SNAPSHOT.entityTag());
        assertThat(notFound.result()).isNull();
        assertThat(superseded.result()).isNull();
        assertThat(stale.result()).isNull();
    }
}
