package dev.resilient.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The wait before each retry: doubling from the base, capped, less at most the jitter's share. */
@Tag("unit")
class BackoffTest {

    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(120), 0.25);

    @Test
    void withoutJitterEachRetryWaitsTwiceAsLongAsTheOneBeforeUpToTheCap() {
        assertThat(BACKOFF.before(1, 0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(BACKOFF.before(2, 0)).isEqualTo(Duration.ofSeconds(60));
        assertThat(BACKOFF.before(3, 0)).isEqualTo(Duration.ofSeconds(120));
        assertThat(BACKOFF.before(4, 0)).as("capped").isEqualTo(Duration.ofSeconds(120));
        assertThat(BACKOFF.before(1_000, 0)).as("no overflow").isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void jitterTakesOffAtMostItsShareOfTheDelay() {
        assertThat(BACKOFF.before(1, 0.5)).isEqualTo(Duration.ofMillis(26_250));
        assertThat(BACKOFF.before(1, Math.nextDown(1.0)))
                .isGreaterThanOrEqualTo(Duration.ofMillis(22_500))
                .isLessThan(Duration.ofSeconds(30));
        assertThat(BACKOFF.before(3, Math.nextDown(1.0))).isGreaterThanOrEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void neverWaitsLessThanAMillisecond() {
        var full = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0);

        assertThat(full.before(1, Math.nextDown(1.0))).isEqualTo(Duration.ofMillis(1));
    }
}
