package dev.resilient.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.gatling.javaapi.core.Session;

/**
 * What a virtual user decides between requests: which call to make next, and what each answer means for its tasks
 * and for the ledger. The simulation owns the requests; this class owns the session state and the outcomes.
 */
final class TaskUser {

    static final String READ = "read";
    static final String CREATE = "create";
    static final String UPDATE = "update";
    static final String DELETE = "delete";

    /** Session keys the simulation's requests refer to as {@code #{...}}. */
    static final String ACTION = "action";
    static final String TASK_ID = "taskId";
    static final String PAYLOAD = "payload";
    static final String IDEMPOTENCY_KEY = "idempotencyKey";
    static final String LOCATION = "location";
    static final String HTTP = "http";
    static final String BODY = "body";
    static final String RETRY_AFTER = "retryAfter";
    static final String RESPONSE_MILLIS = "responseMillis";

    private static final String OWNED = "owned";
    private static final String COUNTER = "counter";
    private static final String NAME = "name";
    private static final String STATUS = "status";
    private static final String ATTEMPT = "attempt";
    private static final String PHASE = "phase";
    private static final String WAIT = "wait";
    private static final String OPERATION_ID = "operationId";
    private static final String POLL_DEADLINE = "pollDeadline";
    private static final String SENT_AT = "sentAt";
    private static final String ACCEPTED_AT = "acceptedAt";
    private static final String WRITE_AGAIN = "writeAgain";

    /** The seed's per-user cap on tasks, which keeps GET/PUT/DELETE hitting tasks that exist. */
    private static final int MAX_OWNED = 25;

    private static final List<String> STATUSES = List.of("pending", "in_progress", "completed");

    /** Where one write stands: being sent (or resent after a 503), being polled after a 202, or finished. */
    enum Phase {
        SEND,
        POLL,
        DONE
    }

    private final LoadSettings settings;
    private final Ledger ledger;
    private final RequestLog requests;
    private final ObjectMapper json = new ObjectMapper();

    TaskUser(LoadSettings settings, Ledger ledger, RequestLog requests) {
        this.settings = settings;
        this.ledger = ledger;
        this.requests = requests;
    }

    Session start(Session session) {
        return session.set(OWNED, List.<String>of()).set(COUNTER, 0);
    }

    /** Rolls the seed's mix (POST 15 / GET 50 / PUT 20 / DELETE 15 %), bent by how many tasks this user owns. */
    Session chooseAction(Session session) {
        List<String> owned = session.getList(OWNED);
        var random = ThreadLocalRandom.current();
        var roll = random.nextInt(100);
        var action = roll < 15 ? CREATE : roll < 65 ? READ : roll < 85 ? UPDATE : DELETE;
        if (owned.isEmpty()) {
            action = CREATE;
        } else if (owned.size() >= MAX_OWNED && action.equals(CREATE)) {
            action = UPDATE;
        }
        var taskId = owned.isEmpty() ? LedgerEntry.NONE : owned.get(random.nextInt(owned.size()));
        String again = session.getString(WRITE_AGAIN);
        if (again != null && owned.contains(again)) {
            // The user gave up waiting for its last write to this task: it writes the task again (the same kind of
            // write), as a client that saw no result would. Applied before the older one still queued, it must win.
            action = session.getString(ACTION);
            taskId = again;
        }
        return session.set(ACTION, action).set(TASK_ID, taskId).remove(WRITE_AGAIN);
    }

    /** Gives the chosen write its body and a fresh Idempotency-Key, which every resend of it reuses. */
    Session prepareWrite(Session session) {
        String action = session.getString(ACTION);
        var prepared = session.set(IDEMPOTENCY_KEY, UUID.randomUUID().toString())
                .set(ATTEMPT, 0)
                .set(PHASE, Phase.SEND)
                .removeAll(NAME, STATUS, PAYLOAD, OPERATION_ID, LOCATION, POLL_DEADLINE);
        if (action.equals(DELETE)) {
            return prepared;
        }
        var counter = session.getInt(COUNTER) + 1;
        var name = "lt-" + settings.runId() + "-u" + session.userId() + "-" + counter;
        prepared = prepared.set(COUNTER, counter).set(NAME, name);
        if (action.equals(CREATE)) {
            return prepared.set(PAYLOAD, "{\"name\":\"" + name + "\"}");
        }
        var status = STATUSES.get(ThreadLocalRandom.current().nextInt(STATUSES.size()));
        return prepared.set(STATUS, status)
                .set(PAYLOAD, "{\"name\":\"" + name + "\",\"status\":\"" + status + "\"}");
    }

    /**
     * Forgets the previous answer, so a request that gets none (timeout) is not mistaken for the last one, and notes
     * when the next request goes out (its duration when no answer comes).
     */
    Session clearResponse(Session session) {
        return session.removeAll(HTTP, BODY, RETRY_AFTER, RESPONSE_MILLIS).set(SENT_AT, System.currentTimeMillis());
    }

    /** Logs the answer to a read; reads change nothing the ledger tracks. */
    Session afterRead(Session session) {
        record(session, READ);
        return session;
    }

    /**
     * Reads the answer to a write: done (acknowledged, rejected or unknown), resend after a 503/409, or poll a 202. A
     * write given up after its last retry was answered 503 is rejected (the API applied nothing); the verifier checks
     * that it had no effect.
     */
    Session afterWriteAttempt(Session session) {
        record(session, "write");
        Integer http = session.getIntegerWrapper(HTTP);
        if (http == null) {
            return unknown(session, null, "no response: request timeout or connection error");
        }
        return switch (http) {
            case 200, 201, 204 -> acknowledged(session, http, body(session), null);
            case 202 -> startPolling(session);
            // 409: the first attempt under this key is still in flight (its answer got lost, say a 503 after Redis
            // took the claim late); like a 503, the API asks for the same request again after Retry-After.
            case 409, 503 -> retryOrGiveUp(session, http);
            default -> http >= 400 && http < 500
                    ? rejected(session, http, "http " + http, null)
                    : unknown(session, http, "unexpected http " + http);
        };
    }

    /**
     * Reads one poll of a deferred write: final (completed or failed), or poll again until pollLimit. A write given
     * up on is ledgered with http 202, the last answer the write itself got.
     */
    Session afterPoll(Session session) {
        record(session, "poll");
        Integer http = session.getIntegerWrapper(HTTP);
        var state = body(session);
        String operationId = session.getString(OPERATION_ID);
        if (http != null && http == 200) {
            Integer resultStatus = state.hasNonNull("resultStatus") ? state.get("resultStatus").asInt() : null;
            switch (state.path("status").asText()) {
                case "completed" -> {
                    recordOperation(session, "completed");
                    return acknowledged(session, resultStatus, state.path("result"), operationId);
                }
                case "failed" -> {
                    recordOperation(session, "failed");
                    return rejected(session, resultStatus, "deferred operation failed: " + problem(state), operationId);
                }
                default -> {
                    // pending or in_progress: keep polling below
                }
            }
        }
        // A 404 (operation unknown) is not final either: the states live in Redis, and a Redis that restarted empty
        // forgets them until the worker records the outcome, so a patient client keeps asking until pollLimit.
        if (System.currentTimeMillis() >= session.getLong(POLL_DEADLINE)) {
            recordOperation(session, "unknown");
            var lastState = http == null ? "no answer" : state.path("status").asText("http " + http);
            var limit = settings.pollLimit().toSeconds();
            var taskId = session.getString(TASK_ID);
            var gaveUp = unknown(session, 202, "gave up polling after " + limit + " s: " + lastState);
            return CREATE.equals(session.getString(ACTION)) ? gaveUp : gaveUp.set(WRITE_AGAIN, taskId);
        }
        return session.set(WAIT, Pacing.retryAfter(session.getString(RETRY_AFTER), null));
    }

    static boolean inPhase(Session session, Phase phase) {
        return session.get(PHASE) == phase;
    }

    /** The pause before the next resend or poll, as decided from the last answer. */
    static Duration waitOf(Session session) {
        return session.get(WAIT);
    }

    private Session startPolling(Session session) {
        var accepted = body(session);
        var operationId = accepted.path("id").asText(null);
        if (operationId == null) {
            return unknown(session, 202, "202 without an operation id");
        }
        var location = accepted.path("location").asText("/tasks/queued/" + operationId);
        Integer bodyRetryAfter = accepted.hasNonNull("retryAfter") ? accepted.get("retryAfter").asInt() : null;
        return session.set(PHASE, Phase.POLL)
                .set(OPERATION_ID, operationId)
                .set(LOCATION, location)
                .set(ACCEPTED_AT, System.currentTimeMillis())
                .set(POLL_DEADLINE, System.currentTimeMillis() + settings.pollLimit().toMillis())
                .set(WAIT, Pacing.retryAfter(session.getString(RETRY_AFTER), bodyRetryAfter));
    }

    /**
     * A 503 means nothing was applied or stored under the key, and a 409 that the first request under the key has not
     * finished: either way resending with the same key is safe, and is answered once the first has an outcome.
     */
    private Session retryOrGiveUp(Session session, int http) {
        var attempt = session.getInt(ATTEMPT);
        if (attempt >= settings.maxRetries()) {
            var reason = "gave up after " + attempt + " retries on " + http;
            // A 503 says nothing was applied; after a 409 the first request under the key may still apply it.
            return http == 503 ? rejected(session, http, reason, null) : unknown(session, http, reason);
        }
        return session.set(ATTEMPT, attempt + 1)
                .set(WAIT, Pacing.retryAfter(session.getString(RETRY_AFTER), null));
    }

    /** @param task the task the server returned (201/200 body or the operation's result); missing for a delete */
    private Session acknowledged(Session session, Integer http, JsonNode task, String operationId) {
        String action = session.getString(ACTION);
        var taskId = action.equals(CREATE) ? task.path("id").asText(null) : session.getString(TASK_ID);
        var status = action.equals(CREATE) ? task.path("status").asText(null) : session.getString(STATUS);
        ledger.acknowledged(entry(session, taskId, status, http, operationId));
        var owned = new ArrayList<String>(session.getList(OWNED));
        if (action.equals(CREATE) && taskId != null) {
            owned.add(taskId);
        } else if (action.equals(DELETE)) {
            owned.remove(taskId);
        }
        return done(session).set(OWNED, List.copyOf(owned));
    }

    /** A 404 on an owned task means someone (a deferred delete, a lost create) removed it: stop using it. */
    private Session rejected(Session session, Integer http, String reason, String operationId) {
        String action = session.getString(ACTION);
        var taskId = action.equals(CREATE) ? null : session.getString(TASK_ID);
        ledger.rejected(entry(session, taskId, session.getString(STATUS), http, operationId), reason);
        if (http == null || http != 404 || taskId == null) {
            return done(session);
        }
        var owned = new ArrayList<String>(session.getList(OWNED));
        owned.remove(taskId);
        return done(session).set(OWNED, List.copyOf(owned));
    }

    /** The write may or may not have been applied; the task stays owned, a later 404 will tell. */
    private Session unknown(Session session, Integer http, String reason) {
        String action = session.getString(ACTION);
        var taskId = action.equals(CREATE) ? null : session.getString(TASK_ID);
        var entry = entry(session, taskId, session.getString(STATUS), http, session.getString(OPERATION_ID));
        ledger.unknown(entry, reason);
        return done(session);
    }

    /** One line in the request log: Gatling's response time, or the time since sending when no answer came. */
    private void record(Session session, String kind) {
        var now = System.currentTimeMillis();
        Integer http = session.getIntegerWrapper(HTTP);
        Integer millis = session.getIntegerWrapper(RESPONSE_MILLIS);
        requests.record(
                now,
                kind,
                http == null ? LedgerEntry.NONE : http.toString(),
                millis != null ? millis : now - session.getLong(SENT_AT),
                session.getString(RETRY_AFTER) != null,
                CREATE.equals(session.getString(ACTION)) ? LedgerEntry.NONE : session.getString(TASK_ID));
    }

    /** A deferred write's whole life as the client saw it: from its 202 to its final state. */
    private void recordOperation(Session session, String outcome) {
        var now = System.currentTimeMillis();
        requests.record(now, "operation", outcome, now - session.getLong(ACCEPTED_AT), false, LedgerEntry.NONE);
    }

    private static Session done(Session session) {
        return session.set(PHASE, Phase.DONE);
    }

    private static LedgerEntry entry(Session session, String taskId, String status, Integer http, String operationId) {
        return new LedgerEntry(
                System.currentTimeMillis(),
                session.userId(),
                session.getString(ACTION),
                taskId,
                session.getString(NAME),
                status,
                http == null ? null : http.toString(),
                operationId);
    }

    private JsonNode body(Session session) {
        String body = session.getString(BODY);
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException notJson) {
            return MissingNode.getInstance();
        }
    }

    private static String problem(JsonNode state) {
        var problem = state.path("problem");
        return problem.path("detail").asText(problem.path("title").asText("no detail"));
    }
}
