package dev.resilient.loadtest.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Scenario is the one list of chaos scenarios; chaos.sh must be able to apply each of them. */
@Tag("unit")
class ScenarioTest {

    @Test
    void everyScenarioHasAFaultInChaosSh() throws IOException {
        var script = Files.readString(Path.of("chaos.sh"));

        assertThat(Scenario.values())
                .allSatisfy(scenario -> assertThat(script).contains("fault_" + scenario.id() + "()"));
    }

    @Test
    void idsAreTheConstantsInLowerCaseWithDashes() {
        assertThat(Scenario.POSTGRES_AND_WORKER_DOWN.id()).isEqualTo("postgres-and-worker-down");
        assertThat(Scenario.byId("postgres-and-worker-down")).isEqualTo(Scenario.POSTGRES_AND_WORKER_DOWN);
    }

    @Test
    void theScenariosThatNeedReplicasComeLast() {
        var needsReplicas = Arrays.stream(Scenario.values())
                .map(Scenario::needsReplicas)
                .toList();

        assertThat(needsReplicas).isSorted();
        assertThat(Scenario.BASELINE.needsReplicas()).isFalse();
        assertThat(Scenario.LONG_OUTAGE.needsReplicas()).isFalse();
        assertThat(Scenario.REPLICA_KILL.needsReplicas()).isTrue();
        assertThat(Scenario.ROLLING_RESTART.needsReplicas()).isTrue();
    }

    @Test
    void everyScenarioExpectsTheGuaranteesAndSomethingOfItsOwn() {
        assertThat(Scenario.values()).allSatisfy(scenario -> {
            assertThat(scenario.guarantees()).hasSize(5);
            assertThat(scenario.degradation()).isNotEmpty();
            assertThat(scenario.expectations()).containsAll(scenario.guarantees());
        });
    }
}
