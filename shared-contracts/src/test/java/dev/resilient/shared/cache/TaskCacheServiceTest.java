package dev.resilient.shared.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.resilient.shared.contract.IfMatch;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * The rules of the fallback cache that live in this instance, not in Redis: what it stores again and what it skips,
 * what a write or a delete does to the copies, how it follows the epoch. Redis is replaced by a recording fake whose
 * answers are synchronous, so every fire-and-forget call has finished when the method returns.
 */
@Tag("unit")
class TaskCacheServiceTest {

    private static final UUID ID = UUID.fromString("7fbccabe-0635-450d-92db-d0fe4829759a");
    private static final Instant AT = Instant.parse("2026-12-06T08:00:00Z");

    private final RecordingCache redis = new RecordingCache();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TaskCacheService cache = new TaskCacheService(redis, config(), registry);

    @Test
    void aReadStoresTheCopyOnceAndNotAgainForTheSameVersion() {
        cache.remember(snapshot(1));
        cache.remember(snapshot(1));

        assertThat(redis.calls).containsExactly("put 0 v1");
    }

    @Test
    void aReadOfANewerVersionStoresItWithoutDroppingThePages() {
        cache.remember(snapshot(1));
        cache.remember(snapshot(2));

        assertThat(redis.calls).containsExactly("put 0 v1", "put 0 v2");
    }

    @Test
    void aWriteStoresTheNewCopyAndDropsThePages() {
        cache.written(create(), new WriteOutcome.Created(snapshot(1)));
        cache.written(update(), new WriteOutcome.Updated(snapshot(2)));

        assertThat(redis.calls).containsExactly("put 0 v1 drop-pages", "put 0 v2 drop-pages");
    }

    @Test
    void aWriteThatWasNotAppliedLeavesTheCopiesAlone() {
        cache.written(update(), new WriteOutcome.NotFound(ID));
        cache.written(update(), new WriteOutcome.PreconditionFailed(ID, snapshot(3)));
        cache.written(update(), new WriteOutcome.Superseded(ID, snapshot(3)));

        assertThat(redis.calls).isEmpty();
    }

    @Test
    void aDeleteLeavesATombstoneAndTheNextReadStoresTheTaskAgain() {
        cache.remember(snapshot(1));

        cache.written(new TaskWrite.DeleteTask(ID, null, AT), new WriteOutcome.Deleted());
        cache.remember(snapshot(1));

        assertThat(redis.calls).containsExactly("put 0 v1", "tombstone 0 " + ID, "put 0 v1");
    }

    @Test
    void aTombstoneRefusedForAnOldEpochIsWrittenAgainInTheCurrentOne() {
        redis.epoch = "4";

        cache.written(new TaskWrite.DeleteTask(ID, null, AT), new WriteOutcome.Deleted());

        assertThat(redis.calls).containsExactly("tombstone 0 " + ID, "tombstone 4 " + ID);
    }

    @Test
    void deletingEveryTaskStartsANewEpochAndForgetsWhatWasStored() {
        cache.remember(snapshot(1));

        cache.written(new TaskWrite.DeleteAllTasks(AT), new WriteOutcome.Deleted());
        cache.remember(snapshot(1));

        assertThat(redis.calls).containsExactly("put 0 v1", "purge", "put 1 v1");
    }

    @Test
    void aCopyRefusedForAnOldEpochTeachesTheCurrentOne() {
        redis.epoch = "7";

        cache.remember(snapshot(1));
        cache.remember(snapshot(1));

        assertThat(redis.calls).containsExactly("put 0 v1", "put 7 v1");
    }

    @Test
    void afterAFailedLookupEveryCopyIsStoredAgainSinceRedisMayHaveLostIt() {
        cache.remember(snapshot(1));
        redis.failing = true;
        cache.find(ID).onFailure().recoverWithNull().await().indefinitely();
        redis.failing = false;

        cache.remember(snapshot(1));

        assertThat(redis.calls).containsExactly("put 0 v1", "find", "put 0 v1");
        assertThat(registry.get("tasks.cache.errors").counter().count()).isEqualTo(1);
    }

    @Test
    void aPageIsStoredAgainOnlyWhenItChanged() {
        var page = new CachedPage(List.of(snapshot(1).task()), null);

        cache.rememberPage(RedisTaskCache.FIRST_PAGE, page);
        cache.rememberPage(RedisTaskCache.FIRST_PAGE, page);
        cache.rememberPage(
                RedisTaskCache.FIRST_PAGE, new CachedPage(List.of(snapshot(2).task()), null));

        assertThat(redis.calls).containsExactly("page 0 first", "page 0 first");
    }

    @Test
    void aWriteMakesTheNextReadOfAPageStoreItAgain() {
        var page = new CachedPage(List.of(snapshot(1).task()), null);
        cache.rememberPage(RedisTaskCache.FIRST_PAGE, page);

        cache.written(update(), new WriteOutcome.Updated(snapshot(2)));
        cache.rememberPage(RedisTaskCache.FIRST_PAGE, page);

        assertThat(redis.calls).containsExactly("page 0 first", "put 0 v2 drop-pages", "page 0 first");
    }

    @Test
    void lookupsAreCountedAsHitsAndMissesByReadKind() {
        redis.stored = snapshot(1);
        cache.find(ID).await().indefinitely();
        redis.stored = null;
        cache.find(ID).await().indefinitely();
        cache.find(ID).await().indefinitely();
        cache.page(RedisTaskCache.FIRST_PAGE).await().indefinitely();

        assertThat(count("tasks.cache.hit", "task")).isEqualTo(1);
        assertThat(count("tasks.cache.miss", "task")).isEqualTo(2);
        assertThat(count("tasks.cache.hit", "list")).isZero();
        assertThat(count("tasks.cache.miss", "list")).isEqualTo(1);
    }

    private double count(String name, String read) {
        return registry.get(name).tag("read", read).counter().count();
    }

    private static TaskSnapshot snapshot(long version) {
        return new TaskSnapshot(new TaskResponse(ID, "v" + version, TaskStatus.PENDING, AT, AT), version);
    }

    private static TaskWrite create() {
        return new TaskWrite.CreateTask(ID, "v1", TaskStatus.PENDING, AT);
    }

    private static TaskWrite update() {
        return new TaskWrite.UpdateTask(ID, "v2", TaskStatus.PENDING, IfMatch.any(), AT);
    }

    private static TaskCacheConfig config() {
        return new TaskCacheConfig() {
            @Override
            public Duration ttl() {
                return Duration.ofHours(1);
            }

            @Override
            public int listPages() {
                return 10;
            }

            @Override
            public String keyPrefix() {
                return "test:";
            }
        };
    }

    /**
     * Redis as the scripts behave: a change is written only into the current epoch, and every call answers the
     * current epoch.
     */
    private static final class RecordingCache extends RedisTaskCache {

        final List<String> calls = new ArrayList<>();
        String epoch = "0";
        boolean failing;
        TaskSnapshot stored;

        RecordingCache() {
            super(null, null, null, null);
        }

        @Override
        public Uni<String> put(String epoch, TaskSnapshot snapshot, boolean dropList) {
            return answer("put " + epoch + " v" + snapshot.version() + (dropList ? " drop-pages" : ""));
        }

        @Override
        public Uni<String> tombstone(String epoch, UUID id) {
            return answer("tombstone " + epoch + " " + id);
        }

        @Override
        public Uni<String> putPage(String epoch, String key, CachedPage page) {
            return answer("page " + epoch + " " + key);
        }

        @Override
        public Uni<String> epoch() {
            return Uni.createFrom().item(epoch);
        }

        @Override
        public Uni<String> purge() {
            calls.add("purge");
            epoch = String.valueOf(Long.parseLong(epoch) + 1);
            return Uni.createFrom().item(epoch);
        }

        @Override
        public Uni<TaskSnapshot> find(UUID id) {
            calls.add("find");
            return failing
                    ? Uni.createFrom().failure(new IllegalStateException("Redis is down"))
                    : Uni.createFrom().item(stored);
        }

        @Override
        public Uni<CachedPage> page(String key) {
            return Uni.createFrom().nullItem();
        }

        private Uni<String> answer(String call) {
            calls.add(call);
            return failing
                    ? Uni.createFrom().failure(new IllegalStateException("Redis is down"))
                    : Uni.createFrom().item(epoch);
        }
    }
}
