package dev.resilient.shared.contract;

import java.util.Map;

/**
 * The RabbitMQ names and queue arguments both services use for deferred writes, all under one prefix (so each test
 * run can have its own). One durable direct exchange routes to durable quorum queues:
 *
 * <pre>
 *   API ──delay──▶ {prefix}.delay ─(expires: initial delay)─┐
 *                                                           ▼
 *   worker ◀── {prefix}.work ◀──work── exchange {prefix} ◀──┴── {prefix}.retry.N / {prefix}.hold (expire)
 *   worker ──retry.N / hold / dead──▶ exchange {prefix}  ──dead──▶ {prefix}.dead (dead-letter queue)
 * </pre>
 *
 * The wait queues (delay, retry levels, hold) have no consumer: a message waits there until its per-message TTL
 * expires, then RabbitMQ dead-letters it back to the work queue. No delayed-message plugin is needed. Declared by
 * both services at start-up and after every reconnection ({@code dev.resilient.shared.messaging.TopologyDeclarer}),
 * so a write is never routed to a queue that does not exist yet, whichever service starts first.
 *
 * <p>A message the exchange cannot route (its queue is gone: the broker lost its definitions) is never dropped in
 * silence: the exchange's alternate exchange routes it to {@code {prefix}.unroutable}, a queue that holds nothing and
 * refuses what it gets, so the broker answers the publisher with a nack and the publish fails. (The mandatory flag
 * would say the same, but neither the messaging connector nor the Vert.x client can set it.)
 */
public record Topology(String prefix) {

    /** The prefix of every exchange and queue name, unless configured otherwise. */
    public static final String DEFAULT_PREFIX = "tasks.writes";

    /** The channel name of the deferred writes on both sides (SmallRye Reactive Messaging). */
    public static final String CHANNEL = "task-writes";

    public static final String WORK_KEY = "work";
    public static final String DELAY_KEY = "delay";
    public static final String HOLD_KEY = "hold";
    public static final String DEAD_KEY = "dead";
    public static final String PROBE_KEY = "probe";

    /**
     * How many times the work queue delivers a message before it dead-letters it: the broker's backstop for a write that
     * keeps failing (or crashing the worker) before the worker gives up on it itself.
     */
    public static final int DELIVERY_LIMIT = 20;

    /** The one exchange: the API publishes here, the worker consumes from a queue bound to it. */
    public String exchange() {
        return prefix;
    }

    /** The exchange's arguments: what it cannot route goes to the alternate exchange, which refuses it. */
    public Map<String, Object> exchangeArguments() {
        return Map.of("alternate-exchange", unroutableExchange());
    }

    /** The alternate exchange of {@link #exchange()} (fanout): everything it gets goes to the unroutable queue. */
    public String unroutableExchange() {
        return prefix + ".unroutable";
    }

    public String unroutableQueue() {
        return prefix + ".unroutable";
    }

    /**
     * Where a publisher's trial message goes (a breaker's trial after an outage, on the same connection as real
     * writes): it takes the message, which the broker confirms, and keeps nothing. Quorum, so that in a cluster the
     * trial does not depend on the one node a classic queue would live on.
     */
    public String probeQueue() {
        return prefix + ".probe";
    }

    public Map<String, Object> probeQueueArguments() {
        return Map.of("x-queue-type", "quorum", "x-max-length", 0, "x-overflow", "drop-head");
    }

    /**
     * Holds nothing and refuses what it is sent, so an unroutable publish is nacked. Classic: a quorum queue of length
     * 0 still takes one message before it refuses (RabbitMQ 3.10), and that one would be confirmed. In a cluster it
     * lives on one node; only a publish the exchange cannot route while that node is down goes unrefused.
     */
    public Map<String, Object> unroutableQueueArguments() {
        return Map.of("x-max-length", 0, "x-overflow", "reject-publish");
    }

    public String workQueue() {
        return prefix + ".work";
    }

    /** Where a new deferred write waits its initial delay before the worker sees it. */
    public String delayQueue() {
        return prefix + ".delay";
    }

    /** Where a write waits while an earlier write to the same task is still queued (ordering). */
    public String holdQueue() {
        return prefix + ".hold";
    }

    /** Where a write waits before retry {@code level} (1-based) after a transient failure. */
    public String retryQueue(int level) {
        return prefix + ".retry." + level;
    }

    public static String retryKey(int level) {
        return "retry." + level;
    }

    /** Where a write goes when it cannot be applied: retries exhausted or an unreadable message. */
    public String deadLetterQueue() {
        return prefix + ".dead";
    }

    /**
     * The work queue: quorum; a message the worker rejects outright, or that reaches the delivery limit, is
     * dead-lettered to the DLQ (at least once: never dropped on the way). A work queue declared before the delivery
     * limit existed keeps its arguments (RabbitMQ cannot change them; see {@code TopologyDeclarer}).
     */
    public Map<String, Object> workQueueArguments() {
        return Map.of(
                "x-queue-type",
                "quorum",
                "x-dead-letter-exchange",
                exchange(),
                "x-dead-letter-routing-key",
                DEAD_KEY,
                "x-dead-letter-strategy",
                "at-least-once",
                "x-overflow",
                "reject-publish",
                "x-delivery-limit",
                DELIVERY_LIMIT);
    }

    /**
     * A wait queue: expired messages go back to the work queue. At-least-once dead-lettering (RabbitMQ 3.10+, needs
     * reject-publish overflow), so an expiring message is never dropped on the way back.
     */
    public Map<String, Object> waitQueueArguments() {
        return Map.of(
                "x-queue-type", "quorum",
                "x-dead-letter-exchange", exchange(),
                "x-dead-letter-routing-key", WORK_KEY,
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish");
    }

    public Map<String, Object> deadLetterQueueArguments() {
        return Map.of("x-queue-type", "quorum");
    }
}
