package dev.resilient.loadtest.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One claim a scenario makes about what clients and operators observe, checked against the run's record. The
 * factories below are the vocabulary {@link Scenario} states its expectations in.
 *
 * @param claim what must hold, in words, as printed in the summary
 * @param check what was observed, and whether it holds
 */
record Expectation(String claim, Check check) {

    /**
     * How soon after the heal clients must be served normally again: the breakers' delay (5 s, GuardedCalls) plus a
     * few seconds for connection pools to reconnect.
     */
    static final Duration RECOVERY = Duration.ofSeconds(10);

    /** How soon after PostgreSQL is back the writes deferred during its outage must be applied. */
    static final Duration CATCH_UP = Duration.ofSeconds(15);

    /** How often a client polls a deferred write (the API's Retry-After of an unfinished operation). */
    static final Duration CLIENT_POLL_INTERVAL = Duration.ofSeconds(5);

    /** How long the services may take to notice that Redis lost its data (tasks.redis.watch-interval, with margin). */
    static final long REDIS_WATCH_MS = 2_000;

    /** What a check saw: whether the claim held, and the numbers behind the verdict. */
    record Outcome(boolean met, String observed) {}

    @FunctionalInterface
    interface Check {
        Outcome on(RunRecord run) throws IOException;
    }

    Outcome evaluate(RunRecord run) throws IOException {
        return check.on(run);
    }

    // ---- the vocabulary ----

    static Expectation ledgerClean() {
        return new Expectation(
                "ledger: nothing acknowledged lost, duplicated or overwritten by an older write, nothing unacknowledged"
                        + " applied",
                run -> {
            if (!run.ledgerChecked()) {
                return new Outcome(false, "the ledger check did not run");
            }
            var problems = run.ledger("lost") + run.ledger("wrong content") + run.ledger("resurrected")
                    + run.ledger("duplicate") + run.ledger("phantom");
            return new Outcome(
                    !run.ledgerFailed() && problems == 0,
                    run.ledger("acknowledged writes") + " acknowledged writes, " + problems + " problems");
        });
    }

    static Expectation everyOutcomeKnown() {
        return new Expectation("every write reached a known outcome (no timeouts, no polling given up)", run -> {
            var unknown = run.ledger("writes of unknown outcome");
            return new Outcome(unknown == 0, unknown + " unknown");
        });
    }

    static Expectation noDeadLetters() {
        return new Expectation("nothing dead-lettered", run -> {
            var dead = run.deadLettered();
            return new Outcome(dead == 0, dead + " dead-lettered");
        });
    }

    static Expectation neverAnError() {
        return new Expectation("no request timed out, failed to connect or got a 5xx other than 503", run -> {
            var errors = Stats.of(run.requests(Request::isError));
            return new Outcome(errors.count() == 0, errors.count() == 0 ? "none" : errors.statusText());
        });
    }

    static Expectation never503() {
        return new Expectation("no 503 at all", run -> {
            var refused = run.requests(request -> request.status().equals("503")).size();
            return new Outcome(refused == 0, refused + " x 503");
        });
    }

    static Expectation nothingDeferred() {
        return new Expectation("no write deferred (no 202)", run -> {
            var deferred = run.requests(Request::isHttp).stream()
                    .filter(request -> request.status().equals("202"))
                    .count();
            return new Outcome(deferred == 0, deferred + " x 202");
        });
    }

    /**
     * Clients gave up polling some deferred writes (a short poll limit, on purpose): each must still have ended, on the
     * server, completed or failed; none pending, none forgotten.
     */
    static Expectation abandonedOperationsEndedOnTheServer() {
        return new Expectation("every deferred write whose client gave up polling ended completed or failed", run -> {
            if (!run.operationsChecked()) {
                return new Outcome(false, "the operations check did not run");
            }
            var open = run.operations("pending") + run.operations("missing");
            return new Outcome(
                    open == 0,
                    run.operations("asked") + " asked: " + run.operations("final") + " final, "
                            + run.operations("pending") + " pending, " + run.operations("missing") + " unknown (404)");
        });
    }

    /**
     * The worker ended some deferred writes with one of these outcomes (superseded, expired, ...): the scenario
     * exercised what they show. The count of each is reported.
     */
    static Expectation workerOutcome(String why, String... outcomes) {
        var named = String.join(" or ", outcomes);
        return new Expectation("some deferred writes ended " + named + " (" + why + ")", run -> {
            var sample = "tasks_worker_deferred_writes_total";
            var before = run.scrape("worker", "before").sumBy(sample, "outcome");
            var after = run.scrape("worker", "after").sumBy(sample, "outcome");
            long total = 0;
            var counts = new ArrayList<String>();
            for (var outcome : outcomes) {
                var was = before.getOrDefault(outcome, 0.0);
                var is = after.getOrDefault(outcome, 0.0);
                var count = Math.round(is >= was ? is - was : is);
                total += count;
                counts.add(count + " " + outcome);
            }
            return new Outcome(total > 0, String.join(", ", counts));
        });
    }

    /**
     * After Redis restarted empty and before PostgreSQL stopped, every task read or written successfully was stored
     * in the fallback cache again: reads of those tasks while PostgreSQL is down are served. (Tasks nobody touched in
     * between may be missing from the cache: 503 for them is the design.)
     */
    static Expectation readsOfTasksTouchedSinceRedisRestartedServed() {
        return new Expectation(
                "reads during the outage of tasks read or written since Redis restarted answered 200 or 404",
                run -> {
                    var restarted = run.runProperty("redis.restarted.ms") + Expectation.REDIS_WATCH_MS;
                    var stopped = run.runProperty("postgres.stopped.ms");
                    var touched = run.requests(request -> request.within(restarted, stopped)
                                    && request.isSuccess()
                                    && !request.taskId().equals("-"))
                            .stream()
                            .map(Request::taskId)
                            .collect(java.util.stream.Collectors.toSet());
                    var reads = run.requests(kind(Request.READ)
                            .and(request -> request.within(stopped, run.faultEndMs()))
                            .and(request -> touched.contains(request.taskId())));
                    var served = reads.stream()
                            .filter(request -> request.status().equals("200") || request.status().equals("404"))
                            .count();
                    return new Outcome(
                            !reads.isEmpty() && served == reads.size(),
                            reads.size() + " reads of those tasks (" + touched.size() + " touched): "
                                    + Stats.of(reads).statusText());
                });
    }

    static Expectation readsServedDuringFault() {
        return new Expectation("every read during the fault answered 200 or 404 (the cache serves)", run -> {
            var reads = Stats.of(run.duringFault(kind(Request.READ)));
            var served = reads.status("200") + reads.status("404");
            return new Outcome(
                    reads.count() > 0 && served == reads.count(),
                    reads.count() + " reads: " + reads.statusText());
        });
    }

    static Expectation writesDeferredDuringFault() {
        return new Expectation("writes during the fault deferred (202)", run -> {
            var writes = Stats.of(run.duringFault(kind(Request.WRITE)));
            return new Outcome(writes.status("202") > 0, writes.count() + " writes: " + writes.statusText());
        });
    }

    static Expectation deferredAllCompleted() {
        return new Expectation("every deferred write completed once its dependencies were back", run -> {
            var operations = Stats.of(run.requests(kind(Request.OPERATION)));
            return new Outcome(
                    operations.count() > 0 && operations.status("completed") == operations.count(),
                    operations.count() + " deferred: " + operations.statusText() + ", p99 "
                            + operations.p99() + " ms from 202 to final");
        });
    }

    /**
     * Writes deferred during the outage are applied within {@code afterHeal} of its end, not after the retry ladder's
     * steps (30-120 s): a write that failed only because PostgreSQL was away is not a retry. Measured as the clients
     * saw it, so one poll interval (Retry-After, 5 s) is added.
     */
    static Expectation deferredCaughtUpWithin(Duration afterHeal) {
        var clientSees = afterHeal.plus(CLIENT_POLL_INTERVAL);
        return new Expectation(
                "deferred writes completed within " + afterHeal.toSeconds() + " s of the heal (seen by clients within "
                        + clientSees.toSeconds() + " s: one poll later)",
                run -> {
                    var last = run.requests(kind(Request.OPERATION).and(status("completed"))).stream()
                            .mapToLong(Request::endMs)
                            .max();
                    if (last.isEmpty()) {
                        return new Outcome(false, "no deferred write completed");
                    }
                    var after = last.getAsLong() - run.faultEndMs();
                    return new Outcome(after <= clientSees.toMillis(), "last completed " + seconds(after) + " after");
                });
    }

    static Expectation writesRefusedWithRetryAfterDuringFault() {
        return new Expectation("writes during the fault refused with 503 and Retry-After, every 503 with it", run -> {
            var refused = run.duringFault(kind(Request.WRITE).and(status("503")));
            var withoutHeader = run.requests(status("503").and(request -> !request.retryAfter())).size();
            return new Outcome(
                    !refused.isEmpty() && withoutHeader == 0,
                    refused.size() + " writes 503, " + withoutHeader + " 503s without Retry-After");
        });
    }

    static Expectation writesAcceptedWithin(Duration afterHeal) {
        return new Expectation("writes accepted again within " + afterHeal.toSeconds() + " s of the heal", run -> {
            var firstAccepted = run.requests(kind(Request.WRITE).and(Request::isSuccess)).stream()
                    .filter(request -> request.endMs() >= run.faultEndMs())
                    .mapToLong(Request::endMs)
                    .findFirst();
            if (firstAccepted.isEmpty()) {
                return new Outcome(false, "no write accepted after the heal");
            }
            var after = firstAccepted.getAsLong() - run.faultEndMs();
            return new Outcome(after <= afterHeal.toMillis(), "first 2xx write " + seconds(after) + " after");
        });
    }

    static Expectation recoveredWithin(Duration afterHeal) {
        return new Expectation("no read or write refused later than " + afterHeal.toSeconds() + " s after the heal",
                run -> {
                    var recovery = recoveryMillis(run);
                    return new Outcome(
                            recovery <= afterHeal.toMillis(),
                            recovery <= 0 ? "none refused after the heal" : "last refused " + seconds(recovery)
                                    + " after");
                });
    }

    static Expectation serverFastDuringFault(double quantile, long limitMs) {
        var percent = (int) Math.round(quantile * 100);
        return new Expectation("API's own p" + percent + " in the second half of the fault under " + limitMs + " ms (fail fast)",
                run -> {
                    var p = run.serverQuantileDuringFaultMs(quantile);
                    return new Outcome(p >= 0 && p <= limitMs, "p" + percent + " <= " + p + " ms (histogram bucket)");
                });
    }

    /**
     * One of the API's breakers for {@code dependency} (e.g. {@code postgres}: postgres-read, postgres-write) changed
     * state during the run: the API noticed the fault and failed fast instead of waiting on every call. (Whether it
     * closed again shows in the recovery expectations: a breaker only leaves open when a call comes.)
     */
    static Expectation breakerOpened(String dependency) {
        return new Expectation("an API breaker of " + dependency + " opened", run -> {
            var transitions = run.breakerTransitions("api").entrySet().stream()
                    .filter(entry -> entry.getKey().startsWith(dependency))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            return new Outcome(transitions > 0, transitions + " transitions");
        });
    }

    // ---- helpers ----

    /** Ms from the heal to the last read or write refused (503) or failed; 0 or less when none came after it. */
    static long recoveryMillis(RunRecord run) {
        return run.requests(request -> !request.kind().equals(Request.POLL)
                        && !request.kind().equals(Request.OPERATION)
                        && request.isRefusedOrFailed())
                .stream()
                .mapToLong(request -> request.endMs() - run.faultEndMs())
                .max()
                .orElse(0);
    }

    static Predicate<Request> kind(String kind) {
        return request -> request.kind().equals(kind);
    }

    static Predicate<Request> status(String status) {
        return request -> request.status().equals(status);
    }

    static String seconds(long millis) {
        return String.format("%.1f s", millis / 1000.0);
    }
}
