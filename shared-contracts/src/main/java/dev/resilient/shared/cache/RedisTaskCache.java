package dev.resilient.shared.cache;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;

import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The fallback copies of tasks in Redis: the last known version of each task and of the first pages of the list, kept
 * so that reads can be answered while PostgreSQL cannot. Every change is one Lua script, atomic in Redis:
 *
 * <ul>
 *   <li>a task's copy only ever moves to a higher version, so a slow refresh can never overwrite a newer copy;
 *   <li>a deleted task leaves a tombstone (the highest version there is) that no refresh can overwrite, and a cached
 *       page is filtered against the tombstones when it is read;
 *   <li>deleting every task moves all keys to a new epoch (a namespace), so nothing from before survives;
 *   <li>every change of a task drops the cached pages, which the next successful reads of them store again.
 * </ul>
 *
 * Not for a Redis Cluster: the scripts build key names from arguments. Every call goes through the service's {@link
 * CacheGuard} (its Redis breaker and timeout).
 */
@ApplicationScoped
public class RedisTaskCache {

    /** The key of the list's first page. */
    public static final String FIRST_PAGE = "first";

    /** The version of a tombstone: higher than any real version. */
    private static final String TOMBSTONE = "999999999999999999";

    private static final String PUT_TASK =
            """
            local epoch = redis.call('GET', KEYS[1]) or '0'
            if epoch ~= ARGV[1] then return epoch end
            local key = ARGV[2] .. epoch .. ':task:' .. ARGV[3]
            local cached = redis.call('HGET', key, 'v')
            if not cached or tonumber(cached) < tonumber(ARGV[4]) then
              redis.call('HSET', key, 'v', ARGV[4], 'json', ARGV[5])
              redis.call('PEXPIRE', key, ARGV[6])
            end
            if ARGV[7] == '1' then redis.call('DEL', ARGV[2] .. epoch .. ':pages') end
            return epoch
            """;

    /**
     * The pages live in one hash, so that a change of any task drops them all with one DEL; at most ARGV[6] of them,
     * the first page always, so that made-up cursors cannot fill Redis with pages.
     */
    private static final String PUT_PAGE =
            """
            local epoch = redis.call('GET', KEYS[1]) or '0'
            if epoch ~= ARGV[1] then return epoch end
            local key = ARGV[2] .. epoch .. ':pages'
            if ARGV[3] ~= 'first' and redis.call('HEXISTS', key, ARGV[3]) == 0
                and redis.call('HLEN', key) >= tonumber(ARGV[6]) then
              return epoch
            end
            redis.call('HSET', key, ARGV[3], ARGV[4])
            redis.call('PEXPIRE', key, ARGV[5])
            return epoch
            """;

    private static final String GET_TASK =
            """
            local epoch = redis.call('GET', KEYS[1]) or '0'
            return redis.call('HMGET', ARGV[1] .. epoch .. ':task:' .. ARGV[2], 'v', 'json')
            """;

    /** A page and the ids in it that have been deleted since it was stored. */
    private static final String GET_PAGE =
            """
            local epoch = redis.call('GET', KEYS[1]) or '0'
            local page = redis.call('HGET', ARGV[1] .. epoch .. ':pages', ARGV[3])
            if not page then return {} end
            local deleted = {}
            for _, task in ipairs(cjson.decode(page).tasks) do
              if redis.call('HGET', ARGV[1] .. epoch .. ':task:' .. task.id, 'v') == ARGV[2] then
                table.insert(deleted, task.id)
              end
            end
            return {page, deleted}
            """;

    private final ReactiveRedisDataSource redis;
    private final CacheGuard guarded;
    private final ObjectMapper json;
    private final TaskCacheConfig config;

    public RedisTaskCache(
            ReactiveRedisDataSource redis, CacheGuard guarded, ObjectMapper json, TaskCacheConfig config) {
        this.redis = redis;
        this.guarded = guarded;
        this.json = json;
        this.config = config;
    }

    /**
     * Stores a task's copy unless a newer one (or a tombstone) is there, in the given epoch; optionally drops the
     * cached pages. Answers the current epoch: when it differs from the one given, nothing was written.
     */
    public Uni<String> put(String epoch, TaskSnapshot snapshot, boolean dropList) {
        return script(
                        PUT_TASK,
                        epoch,
                        config.keyPrefix(),
                        snapshot.task().id().toString(),
                        String.valueOf(snapshot.version()),
                        write(snapshot.task()),
                        ttlMillis(),
                        dropList ? "1" : "0")
                .map(Response::toString);
    }

    /** Leaves a tombstone for a deleted task and drops the cached pages. Answers the current epoch. */
    public Uni<String> tombstone(String epoch, UUID id) {
        return script(PUT_TASK, epoch, config.keyPrefix(), id.toString(), TOMBSTONE, "", ttlMillis(), "1")
                .map(Response::toString);
    }

    /**
     * Stores a page of the list under {@code key} (where it starts: {@link #FIRST_PAGE} or the cursor the client
     * followed), in the given epoch. Answers the current epoch: if
     * it differs, nothing was written.
     */
    public Uni<String> putPage(String epoch, String key, CachedPage page) {
        return script(
                        PUT_PAGE,
                        epoch,
                        config.keyPrefix(),
                        key,
                        write(page),
                        ttlMillis(),
                        String.valueOf(config.listPages()))
                .map(Response::toString);
    }

    /** The current epoch. */
    public Uni<String> epoch() {
        return guarded.call(() -> redis.execute("GET", epochKey()))
                .map(reply -> reply == null ? "0" : reply.toString());
    }

    /** Starts a new epoch: every copy stored so far is gone at once (they expire unread). Answers the new epoch. */
    public Uni<String> purge() {
        return guarded.call(() -> redis.execute("INCR", epochKey())).map(Response::toString);
    }

    /** The copy of a task, or null when there is none or the task was deleted. */
    public Uni<TaskSnapshot> find(UUID id) {
        return guarded.call(() -> redis.execute("EVAL", GET_TASK, "1", epochKey(), config.keyPrefix(), id.toString()))
                .map(reply -> {
                    var version = reply.get(0);
                    if (version == null || TOMBSTONE.equals(version.toString())) {
                        return null;
                    }
                    return new TaskSnapshot(read(reply.get(1).toString(), TaskResponse.class), version.toLong());
                });
    }

    /** The copy of the page stored under {@code key}, without the tasks deleted since, or null when there is none. */
    public Uni<CachedPage> page(String key) {
        return guarded.call(() -> redis.execute("EVAL", GET_PAGE, "1", epochKey(), config.keyPrefix(), TOMBSTONE, key))
                .map(reply -> {
                    if (reply == null || reply.size() == 0) {
                        return null;
                    }
                    var deleted = new HashSet<String>();
                    reply.get(1).forEach(id -> deleted.add(id.toString()));
                    var page = read(reply.get(0).toString(), CachedPage.class);
                    var tasks = new ArrayList<TaskResponse>();
                    for (var task : page.tasks()) {
                        if (!deleted.contains(task.id().toString())) {
                            tasks.add(task);
                        }
                    }
                    return new CachedPage(tasks, page.next());
                });
    }

    private Uni<Response> script(String script, String epoch, String... args) {
        var command = new ArrayList<String>(List.of(script, "1", epochKey(), epoch));
        command.addAll(List.of(args));
        return guarded.call(() -> redis.execute("EVAL", command.toArray(String[]::new)));
    }

    private String epochKey() {
        return config.keyPrefix() + "epoch";
    }

    private String ttlMillis() {
        return String.valueOf(config.ttl().toMillis());
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a cache entry", e);
        }
    }

    private <T> T read(String value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable cache entry: " + e.getOriginalMessage(), e);
        }
    }
}
