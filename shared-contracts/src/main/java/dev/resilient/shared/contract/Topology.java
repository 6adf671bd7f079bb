package dev.resilient.shared.contract;

/**
 * The RabbitMQ names both services use for deferred writes, all under one prefix. Durable exchanges and queues,
 * declared by the services at start-up (DESIGN.md section 5).
 */
public final class Topology {

    /** The prefix of every exchange and queue name. */
    public static final String PREFIX = "tasks.writes";

    /** Where api-service publishes deferred writes, and where retries come back to. */
    public static final String WORK_EXCHANGE = PREFIX;

    /** The queue write-worker consumes. */
    public static final String WORK_QUEUE = PREFIX + ".work";

    /** Where a write goes when it cannot be applied: retries exhausted or an unreadable message. */
    public static final String DEAD_LETTER_QUEUE = PREFIX + ".dead";

    /** The channel name of the deferred writes on both sides (SmallRye Reactive Messaging). */
    public static final String CHANNEL = "task-writes";

    private Topology() {}
}
