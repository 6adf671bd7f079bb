package dev.resilient.shared.deferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.Problem;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The journal's decisions that need no Redis: when a waiting write has expired, and what it then answers. */
@Tag("unit")
class DeferredWriteJournalHorizonTest {

    private static final Instant ACCEPTED = Instant.parse("2026-12-06T08:00:00Z");
    private static final Duration HORIZON = Duration.ofHours(2);

    private final DeferredWriteJournal journal = new DeferredWriteJournal(null, config(HORIZON), new ObjectMapper());

    @Test
    void aWriteExpiresOnlyOnceItHasWaitedLongerThanTheHorizon() {
        assertThat(journal.expired(ACCEPTED, ACCEPTED.plus(HORIZON).minusMillis(1)))
                .isFalse();
        assertThat(journal.expired(ACCEPTED, ACCEPTED.plus(HORIZON))).isFalse();
        assertThat(journal.expired(ACCEPTED, ACCEPTED.plus(HORIZON).plusMillis(1)))
                .isTrue();
    }

    @Test
    void aWriteWithoutAnAcceptanceTimeNeverExpires() {
        assertThat(journal.expired(null, ACCEPTED.plus(Duration.ofDays(365)))).isFalse();
    }

    @Test
    void anExpiredWriteFailsWith410AndSaysTheHorizon() {
        var id = UUID.fromString("3f0a3c1e-5a7b-4c1d-9e2f-0b1c2d3e4f50");
        var now = ACCEPTED.plus(Duration.ofHours(3));

        var state = journal.expiredState(id, 4, now);

        assertThat(state.status()).isEqualTo(DeferredWriteState.Status.FAILED);
        assertThat(state.resultStatus()).isEqualTo(410);
        assertThat(state.problem()).isEqualTo(Problem.expired(HORIZON));
        assertThat(state.attempts()).isEqualTo(4);
        assertThat(state.updatedAt()).isEqualTo(now);
        assertThat(state.result()).isNull();
    }

    @Test
    void whatAWaitingWriteDependsOnOutlivesTheHorizonByAFinalStatesPollingTime() {
        assertThat(config(HORIZON).waitingTtl()).isEqualTo(HORIZON.plus(Duration.ofMinutes(30)));
    }

    private static DeferredWriteJournalConfig config(Duration horizon) {
        return new DeferredWriteJournalConfig() {
            @Override
            public Duration horizon() {
                return horizon;
            }

            @Override
            public Duration ttl() {
                return Duration.ofMinutes(30);
            }

            @Override
            public String keyPrefix() {
                return "test:";
            }
        };
    }
}
