package dev.resilient.loadtest.chaos;

import static dev.resilient.loadtest.chaos.Expectation.abandonedOperationsEndedOnTheServer;
import static dev.resilient.loadtest.chaos.Expectation.breakerOpened;
import static dev.resilient.loadtest.chaos.Expectation.CATCH_UP;
import static dev.resilient.loadtest.chaos.Expectation.deferredAllCompleted;
import static dev.resilient.loadtest.chaos.Expectation.deferredCaughtUpWithin;
import static dev.resilient.loadtest.chaos.Expectation.everyOutcomeKnown;
import static dev.resilient.loadtest.chaos.Expectation.RECOVERY;
import static dev.resilient.loadtest.chaos.Expectation.ledgerClean;
import static dev.resilient.loadtest.chaos.Expectation.neverAnError;
import static dev.resilient.loadtest.chaos.Expectation.never503;
import static dev.resilient.loadtest.chaos.Expectation.noDeadLetters;
import static dev.resilient.loadtest.chaos.Expectation.nothingDeferred;
import static dev.resilient.loadtest.chaos.Expectation.readsOfTasksTouchedSinceRedisRestartedServed;
import static dev.resilient.loadtest.chaos.Expectation.readsServedDuringFault;
import static dev.resilient.loadtest.chaos.Expectation.recoveredWithin;
import static dev.resilient.loadtest.chaos.Expectation.serverFastDuringFault;
import static dev.resilient.loadtest.chaos.Expectation.writesAcceptedWithin;
import static dev.resilient.loadtest.chaos.Expectation.writesDeferredDuringFault;
import static dev.resilient.loadtest.chaos.Expectation.workerOutcome;
import static dev.resilient.loadtest.chaos.Expectation.writesRefusedWithRetryAfterDuringFault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The chaos scenarios and what each promises: the one list of them, in the order {@code loadtest/chaos.sh all} runs
 * them (it asks {@code ChaosReport scenarios}). chaos.sh applies the faults (its {@code fault_<name>} and {@code heal}
 * functions), this enum says what a client and an operator must have observed. Every scenario also
 * expects what no failure may break: nothing acknowledged lost, duplicated or overwritten by an older write, every
 * write's outcome known, nothing dead-lettered, never a timeout or a 5xx other than a designed 503, and service as
 * usual again within {@link Expectation#RECOVERY} of the heal.
 */
enum Scenario {
    BASELINE("no fault", never503(), nothingDeferred()),

    POSTGRES_DOWN(
            "PostgreSQL stopped",
            readsServedDuringFault(),
            writesDeferredDuringFault(),
            deferredAllCompleted(),
            deferredCaughtUpWithin(CATCH_UP),
            breakerOpened("postgres")),

    POSTGRES_LATENCY("PostgreSQL 100 ms slower each way (through the fault proxy)", readsServedDuringFault()),

    POSTGRES_BLACKHOLE(
            "PostgreSQL black-holed: connections accepted, nothing answered; healed with the connections reset",
            readsServedDuringFault(),
            writesDeferredDuringFault(),
            deferredAllCompleted(),
            deferredCaughtUpWithin(CATCH_UP),
            breakerOpened("postgres")),

    REDIS_DOWN(
            "Redis stopped (it keeps nothing on disk: restarted empty)",
            readsServedDuringFault(),
            writesRefusedWithRetryAfterDuringFault(),
            writesAcceptedWithin(RECOVERY),
            breakerOpened("redis")),

    REDIS_LATENCY("Redis 50 ms slower each way (through the fault proxy)", readsServedDuringFault()),

    RABBITMQ_DOWN("RabbitMQ stopped (stop_app)", never503(), nothingDeferred()),

    RABBITMQ_LATENCY("RabbitMQ 100 ms slower each way (through the fault proxy)", never503()),

    POSTGRES_AND_RABBITMQ_DOWN(
            "PostgreSQL and RabbitMQ stopped",
            readsServedDuringFault(),
            writesRefusedWithRetryAfterDuringFault(),
            writesAcceptedWithin(RECOVERY)),

    POSTGRES_AND_WORKER_DOWN(
            "PostgreSQL stopped and the worker stopped (SIGTERM); PostgreSQL back first, then the worker",
            readsServedDuringFault(),
            writesDeferredDuringFault(),
            deferredAllCompleted()),

    ALL_DOWN(
            "PostgreSQL, Redis and RabbitMQ stopped",
            writesRefusedWithRetryAfterDuringFault(),
            serverFastDuringFault(0.99, 20),
            breakerOpened("redis")),

    WORKER_KILL(
            "PostgreSQL stopped to build a backlog, restarted, the worker killed (-9) while draining it, then restarted",
            writesDeferredDuringFault(),
            deferredAllCompleted()),

    /**
     * Clients poll a 202 for 10 s only, then write that task again, as impatient clients do: once Redis restarted empty
     * and PostgreSQL is back those writes are applied at once, and the older writes still queued must not overwrite
     * them: they end superseded, or not found (failed, 404) when the client has deleted the task since.
     */
    REDIS_RESTART_WITH_BACKLOG(
            "worker and PostgreSQL stopped (writes deferred), Redis restarted empty, PostgreSQL back (writes applied at"
                    + " once), then the worker back; clients give up polling after 10 s and write the task again",
            true,
            writesDeferredDuringFault(),
            workerOutcome(
                    "older queued writes met newer ones applied after Redis forgot the queue: superseded, or not"
                            + " found when a newer delete had removed their task",
                    "superseded",
                    "failed")),

    REDIS_RESTART_THEN_POSTGRES_DOWN(
            "Redis restarted empty, then, half-way, PostgreSQL stopped",
            false,
            readsOfTasksTouchedSinceRedisRestartedServed(),
            writesDeferredDuringFault(),
            deferredAllCompleted()),

    RABBITMQ_RESET(
            "RabbitMQ reset (every queue, exchange and message definition gone), then PostgreSQL stopped",
            false,
            writesDeferredDuringFault(),
            deferredAllCompleted()),

    RESEND_AFTER_COMMIT(
            "PostgreSQL 700 ms slower each way (past the API's 1 s timeout: writes commit after their answer) and RabbitMQ"
                    + " stopped (no deferral): writes answered 503 commit anyway, and clients resend them",
            false,
            writesRefusedWithRetryAfterDuringFault()),

    /** The services run with a horizon of half the fault (and the journal's lifetimes with it) for this scenario. */
    LONG_OUTAGE(
            "PostgreSQL stopped for longer than the journal's horizon, the marks' and the states' lifetimes",
            false,
            writesDeferredDuringFault(),
            workerOutcome("writes that waited past the horizon were not applied", "expired")),

    // The replicated topology's own faults (REPLICAS > 1: API replicas behind HAProxy, several workers, a RabbitMQ
    // cluster): one replica or one node fails, the others carry on, and no client notices more than a slower answer.
    // Declared last, from REPLICA_KILL on (needsReplicas).

    REPLICA_KILL(
            "one API replica killed (-9) under load and started again 10 s later; HAProxy routes around it and replays"
                    + " what is harmless to replay on another replica",
            never503(),
            nothingDeferred()),

    WORKER_REPLICA_KILL(
            "PostgreSQL stopped to build a backlog, restarted, one of the workers killed (-9) while they drain it, then"
                    + " restarted",
            writesDeferredDuringFault(),
            deferredAllCompleted()),

    /** Clients poll a 202 for 10 s only, so that new writes are deferred while the node is down and rejoining. */
    RABBITMQ_NODE_KILL(
            "PostgreSQL stopped (writes deferred), then the RabbitMQ node leading the work queue killed (-9) and"
                    + " started again 10 s later; clients give up polling after 10 s",
            true,
            writesDeferredDuringFault()),

    ROLLING_RESTART(
            "every API replica and worker stopped (SIGTERM, graceful) and started again, one at a time, under load",
            never503(),
            nothingDeferred());

    private final String fault;
    private final List<Expectation> guarantees;
    private final List<Expectation> degradation;

    Scenario(String fault, Expectation... degradation) {
        this(fault, false, degradation);
    }

    /**
     * @param clientsGiveUpPolling whether the scenario's clients poll a deferred write only briefly: their outcome is
     *     then asked of the API after the run instead
     */
    Scenario(String fault, boolean clientsGiveUpPolling, Expectation... degradation) {
        this.fault = fault;
        this.guarantees = List.of(
                ledgerClean(),
                clientsGiveUpPolling ? abandonedOperationsEndedOnTheServer() : everyOutcomeKnown(),
                noDeadLetters(),
                neverAnError(),
                recoveredWithin(RECOVERY));
        this.degradation = List.of(degradation);
    }

    /** What no failure may break, in every scenario: nothing lost, outcomes known, no errors, back within RECOVERY. */
    List<Expectation> guarantees() {
        return guarantees;
    }

    /** How this scenario must degrade: which answers clients get during the fault, how fast, which breaker opens. */
    List<Expectation> degradation() {
        return degradation;
    }

    /** The name used on the command line and in the summary: {@code postgres-down}. */
    String id() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Whether the scenario fails one replica among several, so it runs only with REPLICAS > 1. */
    boolean needsReplicas() {
        return compareTo(REPLICA_KILL) >= 0;
    }

    String fault() {
        return fault;
    }

    List<Expectation> expectations() {
        var all = new ArrayList<>(guarantees);
        all.addAll(degradation);
        return all;
    }

    static Scenario byId(String id) {
        return Arrays.stream(values())
                .filter(scenario -> scenario.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no scenario " + id + "; known: "
                        + Arrays.stream(values()).map(Scenario::id).toList()));
    }
}
