package dev.resilient.shared.deferred;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;

import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.Problem;
import dev.resilient.shared.contract.TaskWrite;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The journal of deferred writes in Redis, and the one place that keeps them in order (docs/design.md section 5).
 *
 * <p>Per deferred write: its state (what {@code GET /tasks/queued/{id}} answers), kept for {@code ttl}; a cancel mark per
 * publication the API could not confirm (a late delivery of that message must change nothing: the client was told
 * 503).
 *
 * <p>Places: every write the API accepts, applied now or deferred, takes a place in one order: a number from a clock
 * in Redis, its time in microseconds ({@code TIME}) or, if that is not ahead of the last place handed out, the next
 * number after it. So places only grow, and after Redis restarts empty they go on from its clock, past every place
 * handed out before. PostgreSQL keeps the place of each task's last write, and the write path never applies a deferred
 * write over a newer one ({@code TaskWriter}): that is what keeps writes in order when Redis forgets.
 *
 * <p>Queued order: every deferred write joins, under its place, the ordered set of its task (a delete-all joins the set
 * {@code *}) and the set {@code all}. The worker applies a write only when no older write is queued before it: for a
 * task write, none in its task's set and no older delete-all; for a delete-all, none at all. While a task has queued
 * writes, the API defers new writes to it too instead of overtaking them. Every step is one Lua script, so the API and
 * any number of workers see consistent sets.
 *
 * <p>Callers put their own circuit breaker around these calls; failures surface as they are.
 */
@ApplicationScoped
public class DeferredWriteJournal {

    /** What the worker may do with a delivered write. */
    public enum Turn {
        /** Apply it now (it is marked {@code in_progress} unless already final). */
        GO,
        /** An older write to the same task is still queued: wait, then ask again. */
        WAIT,
        /** The API withdrew it (publish not confirmed, client answered 503): drop it. */
        CANCELLED
    }

    /** The next place from the clock key (see the class comment), as a decimal string. */
    private static final String NEXT_PLACE =
            """
            local function next_place(clock)
              local now = redis.call('TIME')
              local place = tonumber(now[1]) * 1000000 + tonumber(now[2])
              local last = tonumber(redis.call('GET', clock) or '0')
              if place <= last then place = last + 1 end
              place = string.format('%.0f', place)
              redis.call('SET', clock, place)
              return place
            end
            """;

    /** KEYS: clock, then the keys whose existence means the write must be queued. Answers {queued, place}. */
    private static final String ADMIT = NEXT_PLACE
            + """
            local place = next_place(KEYS[1])
            for i = 2, #KEYS do
              if redis.call('EXISTS', KEYS[i]) == 1 then return {1, place} end
            end
            return {0, place}
            """;

    /**
     * KEYS: state, own order set, all set, clock, cancel mark. Answers the place, or 0 for a publication withdrawn
     * before its recording got here (it stays out).
     */
    private static final String DEFER = NEXT_PLACE
            + """
            if redis.call('EXISTS', KEYS[5]) == 1 then return '0' end
            local place = next_place(KEYS[4])
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], place, ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[4])
            redis.call('ZADD', KEYS[3], place, ARGV[3])
            redis.call('PEXPIRE', KEYS[3], ARGV[4])
            return place
            """;

    private static final String CANCEL =
            """
            redis.call('DEL', KEYS[1])
            redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
            redis.call('ZREM', KEYS[3], ARGV[1])
            redis.call('ZREM', KEYS[4], ARGV[1])
            return 1
            """;

    /**
     * KEYS: state, cancel mark of the publication, own order set, delete-all set, all set. ARGV: id, in-progress state,
     * ttl, give up. A deferred write the journal does not know (Redis lost it) goes: the write path still refuses to apply
     * it over a newer write.
     */
    private static final String BEGIN =
            """
            if redis.call('EXISTS', KEYS[2]) == 1 then return 'cancelled' end
            local seq = redis.call('ZSCORE', KEYS[3], ARGV[1])
            if seq then
              seq = tonumber(seq)
              local blockers = {KEYS[3], KEYS[4]}
              if KEYS[3] == KEYS[4] then blockers = {KEYS[5]} end
              local blocked = false
              for _, key in ipairs(blockers) do
                local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
                if head[2] and tonumber(head[2]) < seq then blocked = true end
              end
              if blocked then
                if ARGV[4] ~= '1' then return 'wait' end
                for _, key in ipairs(blockers) do
                  for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. seq)) do
                    redis.call('ZREM', key, member)
                    redis.call('ZREM', KEYS[5], member)
                  end
                end
              end
            end
            local current = redis.call('GET', KEYS[1])
            if current then
              local status = cjson.decode(current)['status']
              if status == 'completed' or status == 'failed' then return 'go' end
            end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 'go'
            """;

    /** KEYS: state, own order set, all set. ARGV: final state, ttl, id, whether a final state already there stays. */
    private static final String FINISH =
            """
            local keep = false
            if ARGV[4] == '1' then
              local current = redis.call('GET', KEYS[1])
              if current then
                local status = cjson.decode(current)['status']
                keep = status == 'completed' or status == 'failed'
              end
            end
            if not keep then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
            redis.call('ZREM', KEYS[2], ARGV[3])
            redis.call('ZREM', KEYS[3], ARGV[3])
            return 1
            """;

    private final ReactiveRedisDataSource redis;
    private final DeferredWriteJournalConfig config;
    private final ObjectMapper writer;
    private final ObjectMapper reader;

    public DeferredWriteJournal(ReactiveRedisDataSource redis, DeferredWriteJournalConfig config, ObjectMapper json) {
        this.redis = redis;
        this.config = config;
        this.writer = json;
        // States are our own format: read leniently whatever the service's mapper enforces on requests.
        this.reader = json.copy()
                .setDefaultSetterInfo(JsonSetter.Value.empty())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /**
     * Where a write the API accepts stands: whether it must be queued behind deferred writes rather than applied now,
     * and its place in the order of accepted writes.
     */
    public record Admission(boolean mustQueue, long place) {}

    /**
     * Admits a new write: its place, and whether it must be queued behind deferred writes rather than applied now (a
     * write to a task with queued writes, any write while a delete-all is queued, a delete-all while anything is
     * queued).
     */
    public Uni<Admission> admit(TaskWrite write) {
        var keys = new ArrayList<String>();
        keys.add(clockKey());
        if (write instanceof TaskWrite.DeleteAllTasks) {
            keys.add(allKey());
        } else {
            keys.add(deleteAllKey());
            if (!(write instanceof TaskWrite.CreateTask)) {
                keys.add(orderKey(write));
            }
        }
        return eval(ADMIT, keys)
                .map(reply ->
                        new Admission(reply.get(0).toLong() == 1, reply.get(1).toLong()));
    }

    /**
     * Records a write as deferred: state {@code pending}, and a new place in the order of accepted writes and of its
     * task. Answers that place, or fails when this publication was withdrawn before its recording arrived.
     */
    public Uni<Long> defer(DeferredWriteState pending, TaskWrite write, UUID publicationId) {
        var id = pending.id();
        return eval(
                        DEFER,
                        List.of(stateKey(id), orderKey(write), allKey(), clockKey(), cancelKey(publicationId)),
                        write(pending),
                        waitingTtl(),
                        id.toString(),
                        waitingTtl())
                .map(Response::toLong)
                .invoke(place -> {
                    if (place == 0) {
                        throw new IllegalStateException("Publication " + publicationId + " was withdrawn already");
                    }
                });
    }

    /**
     * Withdraws a publication that could not be confirmed: the deferred write loses its state and its place in the order,
     * and a late delivery of this publication is dropped. A resend of the write publishes anew, under its own id.
     */
    public Uni<Void> cancel(UUID id, UUID publicationId, TaskWrite write) {
        return eval(
                        CANCEL,
                        List.of(stateKey(id), cancelKey(publicationId), orderKey(write), allKey()),
                        id.toString(),
                        waitingTtl())
                .replaceWithVoid();
    }

    /**
     * The worker's turn check and start, in one step: whether the write may be applied now and, if so, marks it
     * {@code inProgress}. With {@code giveUp}, it stops waiting for older writes (presumed lost: their publisher died
     * between recording and publishing them) and removes them from the order.
     */
    public Uni<Turn> begin(DeferredWriteState inProgress, TaskWrite write, UUID publicationId, boolean giveUp) {
        var id = inProgress.id();
        return eval(
                        BEGIN,
                        List.of(stateKey(id), cancelKey(publicationId), orderKey(write), deleteAllKey(), allKey()),
                        id.toString(),
                        write(inProgress),
                        waitingTtl(),
                        giveUp ? "1" : "0")
                .map(reply -> Turn.valueOf(reply.toString().toUpperCase()));
    }

    /** Stores a state without touching the order (a write waiting for a retry, or one that could not be read). */
    public Uni<Void> save(DeferredWriteState state) {
        return redis.execute("SET", stateKey(state.id()), write(state), "PX", ttlOf(state))
                .replaceWithVoid();
    }

    /** Stores the final state and lets the next write to the same task go. */
    public Uni<Void> finish(DeferredWriteState last, TaskWrite write) {
        return finish(last, write, false);
    }

    /**
     * Ends a write that waited past the horizon: stores {@code expired} (unless an earlier delivery already made it
     * final) and lets the next write to the same task go.
     */
    public Uni<Void> expire(DeferredWriteState expired, TaskWrite write) {
        return finish(expired, write, true);
    }

    private Uni<Void> finish(DeferredWriteState last, TaskWrite write, boolean keepFinal) {
        var id = last.id();
        return eval(
                        FINISH,
                        List.of(stateKey(id), orderKey(write), allKey()),
                        write(last),
                        ttl(),
                        id.toString(),
                        keepFinal ? "1" : "0")
                .replaceWithVoid();
    }

    /** Whether a write accepted at {@code acceptedAt} has waited past the horizon by {@code now}. */
    public boolean expired(Instant acceptedAt, Instant now) {
        return acceptedAt != null && acceptedAt.plus(config.horizon()).isBefore(now);
    }

    /** The state of a write that waited past the horizon: failed, with an {@code expired} problem. */
    public DeferredWriteState expiredState(UUID id, int attempts, Instant now) {
        return new DeferredWriteState(
                id, DeferredWriteState.Status.FAILED, 410, null, Problem.expired(config.horizon()), attempts, now);
    }

    /** The state, or null when the deferred write is unknown or expired. */
    public Uni<DeferredWriteState> find(UUID id) {
        return redis.execute("GET", stateKey(id)).map(reply -> reply == null ? null : read(reply.toString()));
    }

    /**
     * Runs a script by its SHA-1 (EVALSHA: the script is not sent, nor hashed by Redis, on every call); if Redis does
     * not know it yet (NOSCRIPT: first use, or after a restart), EVAL sends it once and Redis keeps it.
     */
    private Uni<Response> eval(String script, List<String> keys, String... args) {
        var rest = new ArrayList<String>();
        rest.add(Integer.toString(keys.size()));
        rest.addAll(keys);
        rest.addAll(List.of(args));
        return redis.execute("EVALSHA", prepend(sha1(script), rest))
                .onFailure(failure -> String.valueOf(failure.getMessage()).startsWith("NOSCRIPT"))
                .recoverWithUni(() -> redis.execute("EVAL", prepend(script, rest)));
    }

    private static String[] prepend(String first, List<String> rest) {
        var all = new String[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return all;
    }

    private static final Map<String, String> SHA1 = new ConcurrentHashMap<>();

    private static String sha1(String script) {
        return SHA1.computeIfAbsent(script, text -> {
            try {
                return HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String ttl() {
        return Long.toString(config.ttl().toMillis());
    }

    private String waitingTtl() {
        return Long.toString(config.waitingTtl().toMillis());
    }

    private String ttlOf(DeferredWriteState state) {
        return state.status().isFinal() ? ttl() : waitingTtl();
    }

    private String stateKey(UUID id) {
        return config.keyPrefix() + id;
    }

    private String cancelKey(UUID publicationId) {
        return config.keyPrefix() + "cancelled:" + publicationId;
    }

    /** The last place handed out. Never expires: places must keep growing for as long as Redis keeps its data. */
    private String clockKey() {
        return config.keyPrefix() + "clock";
    }

    private String orderKey(TaskWrite write) {
        if (write instanceof TaskWrite.CreateTask create) {
            return config.keyPrefix() + "order:" + create.taskId();
        } else if (write instanceof TaskWrite.UpdateTask update) {
            return config.keyPrefix() + "order:" + update.taskId();
        } else if (write instanceof TaskWrite.DeleteTask delete) {
            return config.keyPrefix() + "order:" + delete.taskId();
        }
        return deleteAllKey();
    }

    private String deleteAllKey() {
        return config.keyPrefix() + "order:*";
    }

    private String allKey() {
        return config.keyPrefix() + "order:all";
    }

    private String write(DeferredWriteState state) {
        try {
            return writer.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a deferred-write state", e);
        }
    }

    private DeferredWriteState read(String value) {
        try {
            return reader.readValue(value, DeferredWriteState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable deferred-write state", e);
        }
    }
}
