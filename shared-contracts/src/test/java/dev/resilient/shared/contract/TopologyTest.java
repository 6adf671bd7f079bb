package dev.resilient.shared.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TopologyTest {

    private final Topology topology = new Topology("run-1.writes");

    @Test
    void everyNameStartsWithThePrefixSoThatEachRunHasItsOwn() {
        assertThat(List.of(
                        topology.exchange(),
                        topology.unroutableExchange(),
                        topology.unroutableQueue(),
                        topology.probeQueue(),
                        topology.workQueue(),
                        topology.delayQueue(),
                        topology.holdQueue(),
                        topology.retryQueue(1),
                        topology.deadLetterQueue()))
                .containsExactly(
                        "run-1.writes",
                        "run-1.writes.unroutable",
                        "run-1.writes.unroutable",
                        "run-1.writes.probe",
                        "run-1.writes.work",
                        "run-1.writes.delay",
                        "run-1.writes.hold",
                        "run-1.writes.retry.1",
                        "run-1.writes.dead");
    }

    @Test
    void eachRetryLevelHasItsQueueAndRoutingKey() {
        assertThat(topology.retryQueue(3)).isEqualTo("run-1.writes.retry.3");
        assertThat(Topology.retryKey(3)).isEqualTo("retry.3");
    }

    @Test
    void whatTheExchangeCannotRouteGoesToTheRefusingQueue() {
        assertThat(topology.exchangeArguments()).containsEntry("alternate-exchange", topology.unroutableExchange());
        assertThat(topology.unroutableQueueArguments())
                .containsEntry("x-max-length", 0)
                .containsEntry("x-overflow", "reject-publish")
                .doesNotContainKey("x-queue-type");
    }

    @Test
    void theWorkQueueDeadLettersAtLeastOnceAfterTheDeliveryLimit() {
        assertThat(topology.workQueueArguments())
                .containsEntry("x-queue-type", "quorum")
                .containsEntry("x-dead-letter-exchange", topology.exchange())
                .containsEntry("x-dead-letter-routing-key", Topology.DEAD_KEY)
                .containsEntry("x-dead-letter-strategy", "at-least-once")
                .containsEntry("x-overflow", "reject-publish")
                .containsEntry("x-delivery-limit", Topology.DELIVERY_LIMIT);
    }

    @Test
    void waitQueuesExpireBackToTheWorkQueueWithoutDroppingAMessage() {
        assertThat(topology.waitQueueArguments())
                .containsEntry("x-queue-type", "quorum")
                .containsEntry("x-dead-letter-exchange", topology.exchange())
                .containsEntry("x-dead-letter-routing-key", Topology.WORK_KEY)
                .containsEntry("x-dead-letter-strategy", "at-least-once")
                .containsEntry("x-overflow", "reject-publish");
    }
}
