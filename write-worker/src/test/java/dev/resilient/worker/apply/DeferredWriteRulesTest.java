package dev.resilient.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState.Status;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.deferred.DeferredWriteJournal.Turn;
import dev.resilient.shared.persistence.TaskWriter;

import io.vertx.pgclient.PgException;

/**
 * What becomes of a delivered write, rule by rule (docs/resilience.md, "Deferred writes"): no Quarkus, no broker, the
 * time and the jitter's random draw fixed.
 */
@Tag("unit")
class DeferredWriteRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");
    private static final Duration HORIZON = Duration.ofHours(24);
    private static final Duration HOLD_DELAY = Duration.ofSeconds(1);
    private static final DeferredWriteRules.Limits LIMITS = new DeferredWriteRules.Limits(
            3, new Backoff(Duration.ofMillis(100), Duration.ofMillis(400), 0.25), HOLD_DELAY, 600, 5, HORIZON);
    private static final TaskWrite.CreateTask WRITE =
            new TaskWrite.CreateTask(UUID.randomUUID(), "write", TaskStatus.PENDING, NOW.minusSeconds(10));
    private static final DeferredTaskWrite DEFERRED =
            new DeferredTaskWrite(UUID.randomUUID(), WRITE, NOW.minusSeconds(10), 42L, UUID.randomUUID());

    private static final Throwable REFUSED = new PgException("null value in column", "ERROR", "23502", null);
    private static final Throwable AWAY = new ConnectException("Connection refused");
    private static final Throwable UNFORESEEN = new IllegalStateException("a bug");

    private final DeferredWriteRules rules = new DeferredWriteRules(LIMITS, () -> 0.5);

    // On arrival

    @Test
    void aReadableWriteWithinTheHorizonAsksForItsTurnMarkedInProgress() {
        var decision = rules.onArrival(delivery(DEFERRED, 2, 0), NOW);

        assertThat(decision).isInstanceOf(Decision.AskTurn.class);
        var ask = (Decision.AskTurn) decision;
        assertThat(ask.inProgress().id()).isEqualTo(DEFERRED.operationId());
        assertThat(ask.inProgress().status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(ask.inProgress().attempts())
                .as("two retries made: third attempt")
                .isEqualTo(3);
        assertThat(ask.inProgress().updatedAt()).isEqualTo(NOW);
        assertThat(ask.giveUpWaiting()).isFalse();
    }

    @Test
    void afterMaxHoldsItStopsWaitingForAnOlderWritePresumedLost() {
        assertThat(((Decision.AskTurn) rules.onArrival(delivery(DEFERRED, 0, 599), NOW)).giveUpWaiting())
                .isFalse();
        assertThat(((Decision.AskTurn) rules.onArrival(delivery(DEFERRED, 0, 600), NOW)).giveUpWaiting())
                .isTrue();
    }

    @Test
    void aWriteAcceptedLongerAgoThanTheHorizonExpiresWhateverItsTurn() {
        var old = new DeferredTaskWrite(
                DEFERRED.operationId(), WRITE, NOW.minus(HORIZON).minusMillis(1), 42L, DEFERRED.publicationId());

        var decision = rules.onArrival(delivery(old, 1, 0), NOW);

        assertThat(decision).isInstanceOf(Decision.Expire.class);
        var expired = ((Decision.Expire) decision).expired();
        assertThat(expired.status()).isEqualTo(Status.FAILED);
        assertThat(expired.resultStatus()).isEqualTo(410);
        assertThat(expired.problem().status()).isEqualTo(410);
        assertThat(expired.attempts()).isEqualTo(2);
    }

    @Test
    void aWriteAtTheHorizonOrWithoutAnAcceptanceTimeIsStillApplied() {
        var atHorizon =
                new DeferredTaskWrite(DEFERRED.operationId(), WRITE, NOW.minus(HORIZON), 42L, DEFERRED.publicationId());
        var fromBeforeTimes = new DeferredTaskWrite(DEFERRED.operationId(), WRITE, null, null, null);

        assertThat(rules.onArrival(delivery(atHorizon, 0, 0), NOW)).isInstanceOf(Decision.AskTurn.class);
        assertThat(rules.onArrival(delivery(fromBeforeTimes, 0, 0), NOW)).isInstanceOf(Decision.AskTurn.class);
    }

    @Test
    void anUnreadableBodyIsRejectedAndItsOperationFailsIfItsIdCanBeRead() {
        var id = UUID.randomUUID();
        var reason = new IllegalArgumentException("operationId and write are required");

        var decision = rules.onArrival(unreadable(id, reason, 0), NOW);

        assertThat(decision).isInstanceOf(Decision.Reject.class);
        var reject = (Decision.Reject) decision;
        assertThat(reject.reason()).isSameAs(reason);
        assertThat(reject.failed().id()).isEqualTo(id);
        assertThat(reject.failed().status()).isEqualTo(Status.FAILED);
        assertThat(reject.failed().resultStatus()).isEqualTo(500);
        assertThat(reject.failed().problem().detail()).isEqualTo("The deferred write could not be read.");
        assertThat(reject.failed().attempts()).isEqualTo(1);
    }

    @Test
    void anUnreadableBodyWithoutAnIdIsRejectedWithNoStateToStore() {
        var decision = rules.onArrival(unreadable(null, new IllegalArgumentException("not json"), 0), NOW);

        assertThat(((Decision.Reject) decision).failed()).isNull();
    }

    // Its turn

    @Test
    void itsTurnAppliesItAtItsPlace() {
        assertThat(rules.onTurn(delivery(DEFERRED, 0, 0), Turn.GO))
                .isEqualTo(new Decision.Apply(new TaskWriter.Deferred(DEFERRED.operationId(), WRITE, 42L)));
    }

    @Test
    void aWriteFromBeforePlacesIsAppliedAtPlaceZero() {
        var placeless = new DeferredTaskWrite(DEFERRED.operationId(), WRITE, NOW, null, null);

        assertThat(rules.onTurn(delivery(placeless, 0, 0), Turn.GO))
                .isEqualTo(new Decision.Apply(new TaskWriter.Deferred(DEFERRED.operationId(), WRITE, 0L)));
    }

    @Test
    void anOlderWriteStillQueuedMakesItWaitInTheHoldQueueCountingTheHold() {
        assertThat(rules.onTurn(delivery(DEFERRED, 1, 7), Turn.WAIT)).isEqualTo(new Decision.Hold(8, HOLD_DELAY));
    }

    @Test
    void aPublicationTheApiWithdrewIsDropped() {
        assertThat(rules.onTurn(delivery(DEFERRED, 0, 0), Turn.CANCELLED)).isEqualTo(new Decision.Drop());
    }

    // Applied

    @Test
    void anAppliedWriteFinishesCompletedWithTheBodyTheApiWouldHaveAnswered() {
        var task = new TaskResponse(WRITE.taskId(), "write", TaskStatus.PENDING, NOW, NOW);
        var created = new WriteOutcome.Created(new TaskSnapshot(task, 1));

        var decision = (Decision.Finish) rules.onApplied(delivery(DEFERRED, 1, 0), created, NOW);

        assertThat(decision.outcome()).isSameAs(created);
        assertThat(decision.counted()).isEqualTo(Outcome.COMPLETED);
        assertThat(decision.last().status()).isEqualTo(Status.COMPLETED);
        assertThat(decision.last().resultStatus()).isEqualTo(201);
        assertThat(decision.last().result()).isEqualTo(task);
        assertThat(decision.last().attempts()).isEqualTo(2);
    }

    @Test
    void aBusinessOutcomeIsFinalAndCountedAsFailed() {
        var decision = (Decision.Finish)
                rules.onApplied(delivery(DEFERRED, 0, 0), new WriteOutcome.NotFound(WRITE.taskId()), NOW);

        assertThat(decision.counted()).isEqualTo(Outcome.FAILED);
        assertThat(decision.last().status()).isEqualTo(Status.FAILED);
        assertThat(decision.last().resultStatus()).isEqualTo(404);
    }

    @Test
    void aWriteOvertakenByANewerOneIsFinalAndCountedAsSuperseded() {
        var superseded = new WriteOutcome.Superseded(WRITE.taskId(), null);

        var decision = (Decision.Finish) rules.onApplied(delivery(DEFERRED, 0, 0), superseded, NOW);

        assertThat(decision.counted()).isEqualTo(Outcome.SUPERSEDED);
        assertThat(decision.last().resultStatus()).isEqualTo(409);
    }

    // Applying failed

    @Test
    void aWritePostgresRefusedGoesToTheNextRetryQueueWithBackoffAndJitter() {
        var decision = rules.onApplyFailure(delivery(DEFERRED, 0, 0), REFUSED, NOW);

        assertThat(decision).isInstanceOf(Decision.Retry.class);
        var retry = (Decision.Retry) decision;
        assertThat(retry.retry()).isEqualTo(1);
        assertThat(retry.delay()).as("100 ms less half of 25 %").isEqualTo(Duration.ofMillis(88));
        assertThat(retry.pending().status()).isEqualTo(Status.PENDING);
        assertThat(retry.pending().attempts()).isEqualTo(1);
        assertThat(retry.reason()).isSameAs(REFUSED);
        assertThat(((Decision.Retry) rules.onApplyFailure(delivery(DEFERRED, 2, 0), REFUSED, NOW)).retry())
                .isEqualTo(3);
    }

    @Test
    void retryDelaysStayWithinTheJitterBoundsOfTheExponentialStep() {
        var noJitter = new DeferredWriteRules(LIMITS, () -> 0.0);
        var fullJitter = new DeferredWriteRules(LIMITS, () -> Math.nextDown(1.0));

        for (var retries = 0; retries < 3; retries++) {
            var step = Duration.ofMillis(Math.min(400, 100L << retries));
            var longest =
                    ((Decision.Retry) noJitter.onApplyFailure(delivery(DEFERRED, retries, 0), REFUSED, NOW)).delay();
            var shortest =
                    ((Decision.Retry) fullJitter.onApplyFailure(delivery(DEFERRED, retries, 0), REFUSED, NOW)).delay();
            assertThat(longest).isEqualTo(step);
            assertThat(shortest)
                    .isGreaterThanOrEqualTo(step.multipliedBy(3).dividedBy(4))
                    .isLessThanOrEqualTo(step);
        }
    }

    @Test
    void withTheRetriesUsedUpItGivesUpIntoTheDeadLetterQueueFailed() {
        var decision = rules.onApplyFailure(delivery(DEFERRED, 3, 0), REFUSED, NOW);

        assertThat(decision).isInstanceOf(Decision.GiveUp.class);
        var giveUp = (Decision.GiveUp) decision;
        assertThat(giveUp.failed().status()).isEqualTo(Status.FAILED);
        assertThat(giveUp.failed().resultStatus()).isEqualTo(503);
        assertThat(giveUp.failed().attempts()).as("first attempt + 3 retries").isEqualTo(4);
        assertThat(giveUp.failed().problem().detail())
                .isEqualTo("The write could not be applied after 4 attempts; it is in the dead-letter queue.");
        assertThat(giveUp.reason()).isSameAs(REFUSED);
    }

    @Test
    void aPostgresThatIsAwayPostponesTheWriteWithoutUsingUpARetry() {
        assertThat(rules.onApplyFailure(delivery(DEFERRED, 3, 0, 4, 0), AWAY, NOW))
                .isEqualTo(new Decision.Postpone(5, HOLD_DELAY, AWAY));
    }

    @Test
    void anUnforeseenFailureIsTriedAgainUntilItsAttemptsAreUsedUp() {
        assertThat(rules.onApplyFailure(delivery(DEFERRED, 0, 0, 0, 0), UNFORESEEN, NOW))
                .isEqualTo(new Decision.TryAgain(UNFORESEEN, 1));
        assertThat(rules.onApplyFailure(delivery(DEFERRED, 0, 0, 0, 3), UNFORESEEN, NOW))
                .isEqualTo(new Decision.TryAgain(UNFORESEEN, 4));
    }

    @Test
    void anUnforeseenFailureWithNoAttemptsLeftEndsFailedThenDeadLettered() {
        var decision = rules.onApplyFailure(delivery(DEFERRED, 0, 0, 0, 4), UNFORESEEN, NOW);

        assertThat(decision).isInstanceOf(Decision.DeadLetter.class);
        var dead = (Decision.DeadLetter) decision;
        assertThat(dead.attempt()).isEqualTo(5);
        assertThat(dead.write()).as("lets the next write to its task go").isSameAs(WRITE);
        assertThat(dead.failed().id()).isEqualTo(DEFERRED.operationId());
        assertThat(dead.failed().resultStatus()).isEqualTo(500);
        assertThat(dead.failed().attempts()).isEqualTo(5);
        assertThat(dead.failed().problem().detail()).contains("dead-letter queue");
        assertThat(dead.reason()).isSameAs(UNFORESEEN);
    }

    // The journal failed

    @Test
    void aJournalThatIsAwayPostponesTheWrite() {
        assertThat(rules.onJournalFailure(delivery(DEFERRED, 0, 0), AWAY, NOW))
                .isEqualTo(new Decision.Postpone(1, HOLD_DELAY, AWAY));
    }

    @Test
    void aJournalAnswerTheWorkerCannotTakeIsUnforeseen() {
        var error = io.vertx.redis.client.impl.types.ErrorType.create("ERR user_script:3: cjson");

        assertThat(rules.onJournalFailure(delivery(DEFERRED, 0, 0, 0, 0), error, NOW))
                .isEqualTo(new Decision.TryAgain(error, 1));
        assertThat(rules.onJournalFailure(delivery(DEFERRED, 0, 0, 0, 4), error, NOW))
                .isInstanceOf(Decision.DeadLetter.class);
    }

    // Outside any step

    @Test
    void aFailureOutsideAnyStepStoresOnlyTheStateOnceItsAttemptsAreUsedUp() {
        assertThat(rules.onUnhandled(delivery(DEFERRED, 0, 0, 0, 0), UNFORESEEN, NOW))
                .isEqualTo(new Decision.TryAgain(UNFORESEEN, 1));

        var dead = (Decision.DeadLetter) rules.onUnhandled(delivery(DEFERRED, 0, 0, 0, 4), UNFORESEEN, NOW);

        assertThat(dead.write()).isNull();
        assertThat(dead.failed().id()).isEqualTo(DEFERRED.operationId());
    }

    @Test
    void aMessageWithoutAReadableIdIsDeadLetteredWithNoStateToStore() {
        var dead = (Decision.DeadLetter)
                rules.onUnhandled(unreadable(null, new IllegalArgumentException("not json"), 4), UNFORESEEN, NOW);

        assertThat(dead.failed()).isNull();
        assertThat(dead.write()).isNull();
    }

    private static Delivery delivery(DeferredTaskWrite deferred, int retries, int holds) {
        return delivery(deferred, retries, holds, 0, 0);
    }

    private static Delivery delivery(
            DeferredTaskWrite deferred, int retries, int holds, int postponed, int failedDeliveries) {
        return new Delivery(
                deferred.publication().toString(),
                deferred,
                deferred.operationId(),
                null,
                retries,
                holds,
                postponed,
                failedDeliveries);
    }

    private static Delivery unreadable(UUID operationId, Exception reason, int failedDeliveries) {
        return new Delivery("unreadable", null, operationId, reason, 0, 0, 0, failedDeliveries);
    }
}
