package dev.resilient.common.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.common.admission.Admission.Kind;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.http.HttpMethod;

/** Which budget a request draws from, and the limiter the configuration builds (the HTTP path is AdmissionTest's). */
@Tag("unit")
class AdmissionKindTest {

    @Test
    void getsAndHeadsAreReads() {
        assertThat(Admission.kindOf(HttpMethod.GET, "/tasks")).isEqualTo(Kind.READ);
        assertThat(Admission.kindOf(HttpMethod.HEAD, "/tasks/7fbccabe-0635-450d-92db-d0fe4829759a"))
                .isEqualTo(Kind.READ);
    }

    @Test
    void everyOtherMethodIsAWrite() {
        assertThat(Admission.kindOf(HttpMethod.POST, "/tasks")).isEqualTo(Kind.WRITE);
        assertThat(Admission.kindOf(HttpMethod.PUT, "/tasks/1")).isEqualTo(Kind.WRITE);
        assertThat(Admission.kindOf(HttpMethod.DELETE, "/tasks")).isEqualTo(Kind.WRITE);
        assertThat(Admission.kindOf(HttpMethod.OPTIONS, "/tasks")).isEqualTo(Kind.WRITE);
    }

    @Test
    void pollsOfDeferredWritesHaveTheirOwnBudgetWhateverTheMethod() {
        assertThat(Admission.kindOf(HttpMethod.GET, "/tasks/queued/1")).isEqualTo(Kind.POLL);
        assertThat(Admission.kindOf(HttpMethod.DELETE, "/tasks/queued/1")).isEqualTo(Kind.POLL);
        assertThat(Admission.kindOf(HttpMethod.GET, "/tasks/queued")).isEqualTo(Kind.READ);
    }

    @Test
    void theLimitIsTheConfiguredOneAndEachKindHasAShedCounter() {
        var registry = new SimpleMeterRegistry();

        new Admission(config(40), registry, new ObjectMapper());

        assertThat(registry.get("tasks.admission.limit").gauge().value()).isEqualTo(40);
        assertThat(registry.get("tasks.admission.in.flight").gauge().value()).isZero();
        assertThat(registry.get("tasks.admission.shed").counters())
                .extracting(counter -> counter.getId().getTag("kind"))
                .containsExactlyInAnyOrder("read", "write", "poll");
    }

    @Test
    void aLimitOfZeroTurnsAdmissionOff() {
        var registry = new SimpleMeterRegistry();

        new Admission(config(0), registry, new ObjectMapper());

        assertThat(registry.getMeters()).isEmpty();
    }

    private static AdmissionConfig config(int limit) {
        return new AdmissionConfig() {
            @Override
            public int limit() {
                return limit;
            }

            @Override
            public double readShare() {
                return 0.45;
            }

            @Override
            public double writeShare() {
                return 0.45;
            }

            @Override
            public double pollShare() {
                return 0.10;
            }

            @Override
            public Duration shedPause() {
                return Duration.ofMillis(100);
            }

            @Override
            public int retryAfterSeconds() {
                return 1;
            }
        };
    }
}
