package dev.resilient.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.loadtest.LedgerVerifier.Entry;
import dev.resilient.loadtest.LedgerVerifier.Row;

/** The verdicts of the ledger check on small, hand-made ledgers and table contents. */
@Tag("unit")
class LedgerVerifierTest {

    private static final String A = "6f1c0000-0000-0000-0000-00000000000a";
    private static final String B = "6f1c0000-0000-0000-0000-00000000000b";

    @Test
    void aTableThatMatchesTheLastAcknowledgedWritesIsOk() {
        var report = LedgerVerifier.verify(
                List.of(
                        ack(1, "create", A, "lt-1-u1-1", "-"),
                        ack(2, "update", A, "lt-1-u1-2", "completed"),
                        ack(3, "create", B, "lt-1-u1-3", "-"),
                        ack(4, "delete", B, "-", "-")),
                List.of(),
                List.of(),
                List.of(new Row(A, "lt-1-u1-2", "completed")));

        assertThat(report.failed()).isFalse();
        assertThat(report.counts).containsEntry("tasks expected present", 1).containsEntry("tasks expected deleted", 1);
    }

    @Test
    void aMissingTaskOrAnUpdateNotAppliedIsALoss() {
        var report = LedgerVerifier.verify(
                List.of(
                        ack(1, "create", A, "lt-1-u1-1", "-"),
                        ack(2, "update", A, "lt-1-u1-2", "in_progress"),
                        ack(3, "create", B, "lt-1-u1-3", "-")),
                List.of(),
                List.of(),
                List.of(new Row(A, "lt-1-u1-1", "pending")));

        assertThat(report.failed()).isTrue();
        assertThat(report.counts).containsEntry("lost", 1).containsEntry("wrong content", 1);
    }

    @Test
    void aDeletedTaskThatExistsOrAnUnacknowledgedRowOrADoubleCreateFails() {
        var report = LedgerVerifier.verify(
                List.of(ack(1, "create", A, "lt-1-u1-1", "-"), ack(2, "delete", A, "-", "-")),
                List.of(),
                List.of(),
                List.of(
                        new Row(A, "lt-1-u1-1", "pending"),
                        new Row(B, "lt-1-u1-9", "pending"),
                        new Row("6f1c0000-0000-0000-0000-00000000000c", "lt-1-u1-9", "pending")));

        assertThat(report.counts)
                .containsEntry("resurrected", 1)
                .containsEntry("phantom", 2)
                .containsEntry("duplicate", 1);
    }

    @Test
    void writesOfUnknownOutcomeAreCountedApartNotBlamed() {
        var report = LedgerVerifier.verify(
                List.of(ack(1, "create", A, "lt-1-u1-1", "-")),
                List.of(
                        new Entry(2, "u1", "update", A, "lt-1-u1-2", "completed", "request timeout"),
                        new Entry(3, "u1", "create", "-", "lt-1-u1-3", "-", "gave up after 20 503s")),
                List.of(),
                List.of(new Row(A, "lt-1-u1-2", "completed"), new Row(B, "lt-1-u1-3", "pending")));

        assertThat(report.failed()).isFalse();
        assertThat(report.counts)
                .containsEntry("tasks uncertain (a later write of unknown outcome)", 1)
                .containsEntry("creates of unknown outcome found applied", 1);
    }

    private static Entry ack(long at, String kind, String id, String name, String status) {
        return new Entry(at, "u1", kind, id, name, status, "");
    }
}
