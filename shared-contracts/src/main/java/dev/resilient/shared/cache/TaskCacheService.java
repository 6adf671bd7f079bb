package dev.resilient.shared.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.shared.redis.RedisDataLost;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Keeps the fallback copies of tasks fresh without slowing or failing the request that triggers the refresh
 * (fire-and-forget), and reads them when PostgreSQL cannot answer.
 *
 * <p>A healthy read does not pay a Redis write each time: this instance remembers which version of each task (and
 * of each cached page) it stored, and writes again only when the version changed or half the TTL has passed. Writes refresh
 * the task's copy at once and drop the pages; deletes leave a tombstone, retried in the background until Redis takes
 * it, so a deleted task is not served from the fallback. Failures are counted, and logged once per outage.
 *
 * <p>Shared because both services write tasks: api-service calls {@link #written} after a synchronous write, and
 * write-worker after applying a deferred one (docs/design.md section 4: writes "synchronous or by the worker" keep the
 * copies in line), so a task created, renamed or deleted through the worker is served right by the fallback too.
 */
@ApplicationScoped
public class TaskCacheService {

    private static final int REMEMBERED_TASKS = 50_000;
    private static final int REMEMBERED_PAGES = 100;
    private static final int TOMBSTONE_ATTEMPTS = 10;

    private final RedisTaskCache cache;
    private final Duration refreshAfter;
    private final Map<UUID, Stored> storedVersions =
            Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, Stored> eldest) {
                    return size() > REMEMBERED_TASKS;
                }
            });
    private final AtomicBoolean failing = new AtomicBoolean();
    private final Counter errors;
    private final Counter taskHits;
    private final Counter taskMisses;
    private final Counter listHits;
    private final Counter listMisses;
    private volatile String epoch = "0";
    private final Map<String, Stored> storedPages = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stored> eldest) {
            return size() > REMEMBERED_PAGES;
        }
    });

    /** What this instance last stored for a task or a page, and when. */
    private record Stored(long version, Instant at) {}

    public TaskCacheService(RedisTaskCache cache, TaskCacheConfig config, MeterRegistry registry) {
        this.cache = cache;
        this.refreshAfter = config.ttl().dividedBy(2);
        this.errors = Counter.builder("tasks.cache.errors")
                .description("Fallback-cache refreshes and lookups that failed")
                .register(registry);
        this.taskHits = reads(registry, "tasks.cache.hit", "task");
        this.taskMisses = reads(registry, "tasks.cache.miss", "task");
        this.listHits = reads(registry, "tasks.cache.hit", "list");
        this.listMisses = reads(registry, "tasks.cache.miss", "list");
    }

    /**
     * Learns the epoch at start-up. Until it knows the current one, an instance's refreshes are refused by Redis (a
     * copy is only written into the epoch it was meant for), which would drop the first refresh of every service
     * started after a delete-all; if Redis is down now, the first refused refresh teaches it.
     */
    void learnEpochAtStart(@Observes StartupEvent start) {
        fireAndForget(cache.epoch(), "read the epoch", this::learnEpoch);
    }

    /**
     * Redis lost its data: every copy this instance believes stored is gone, so the next read of each task stores it
     * again (else a read would skip the refresh for up to half the TTL, and an outage in that window would find no
     * copy at all), and the epoch starts over.
     */
    void forget(@Observes RedisDataLost lost) {
        storedVersions.clear();
        storedPages.clear();
        fireAndForget(cache.epoch(), "read the epoch", this::learnEpoch);
    }

    /** After a successful read: stores the task's copy if this instance has not stored this version lately. */
    public void remember(TaskSnapshot snapshot) {
        var stored = storedVersions.get(snapshot.task().id());
        if (stored != null && stored.version() >= snapshot.version() && fresh(stored)) {
            return;
        }
        put(snapshot, false);
    }

    /**
     * After a successful read of a page the caller chose to keep (the first pages only: the cache never holds the
     * whole table): stores it under {@code key}, where it starts, if it changed or was stored long ago.
     */
    public void rememberPage(String key, CachedPage page) {
        var fingerprint = page.hashCode();
        var stored = storedPages.get(key);
        if (stored != null && stored.version() == fingerprint && fresh(stored)) {
            return;
        }
        fireAndForget(cache.putPage(epoch, key, page), "store a page of the list", current -> {
            if (current.equals(epoch)) {
                storedPages.put(key, new Stored(fingerprint, Instant.now()));
            }
        });
    }

    /** After a successful write: brings the copies in line with what PostgreSQL now holds. */
    public void written(TaskWrite write, WriteOutcome outcome) {
        if (outcome instanceof WriteOutcome.Created created) {
            put(created.snapshot(), true);
        } else if (outcome instanceof WriteOutcome.Updated updated) {
            put(updated.snapshot(), true);
        } else if (outcome instanceof WriteOutcome.Deleted && write instanceof TaskWrite.DeleteTask delete) {
            storedVersions.remove(delete.taskId());
            storedPages.clear();
            fireAndForget(retried(() -> tombstone(delete.taskId())), "tombstone a deleted task", this::learnEpoch);
        } else if (outcome instanceof WriteOutcome.Deleted) {
            storedVersions.clear();
            storedPages.clear();
            fireAndForget(retried(cache::purge), "purge after deleting all tasks", this::learnEpoch);
        }
    }

    /** The copy of a task, counted as a hit or miss; null when there is none. */
    public Uni<TaskSnapshot> find(UUID id) {
        return cache.find(id)
                .invoke(snapshot -> (snapshot == null ? taskMisses : taskHits).increment())
                .onFailure()
                .invoke(this::failed);
    }

    /** The copy of the page stored under {@code key}, counted as a hit or miss; null when there is none. */
    public Uni<CachedPage> page(String key) {
        return cache.page(key)
                .invoke(page -> (page == null ? listMisses : listHits).increment())
                .onFailure()
                .invoke(this::failed);
    }

    private void put(TaskSnapshot snapshot, boolean dropList) {
        if (dropList) {
            storedPages.clear();
        }
        var id = snapshot.task().id();
        fireAndForget(cache.put(epoch, snapshot, dropList), "store a task", current -> {
            if (current.equals(epoch)) {
                storedVersions.put(id, new Stored(snapshot.version(), Instant.now()));
            } else {
                learnEpoch(current);
            }
        });
    }

    /**
     * A tombstone in the current epoch, even if this instance's epoch was out of date: unlike a copy, a tombstone is
     * safe in any epoch (it can only hide a task, never bring one back).
     */
    private Uni<String> tombstone(UUID id) {
        var known = epoch;
        return cache.tombstone(known, id)
                .chain(current ->
                        current.equals(known) ? Uni.createFrom().item(current) : cache.tombstone(current, id));
    }

    /** Another instance deleted every task: all this instance stored is gone. */
    private void learnEpoch(String current) {
        if (!current.equals(epoch)) {
            epoch = current;
            storedVersions.clear();
            storedPages.clear();
        }
    }

    private <T> Uni<T> retried(Supplier<Uni<? extends T>> call) {
        return Uni.createFrom()
                .<T>deferred(call)
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5))
                .atMost(TOMBSTONE_ATTEMPTS);
    }

    private <T> void fireAndForget(Uni<T> call, String what, Consumer<T> onSuccess) {
        call.subscribe()
                .with(
                        result -> {
                            if (failing.compareAndSet(true, false)) {
                                Log.info("Fallback cache reachable again");
                            }
                            onSuccess.accept(result);
                        },
                        failure -> {
                            Log.debugf("Could not %s in the fallback cache: %s", what, failure.toString());
                            failed(failure);
                        });
    }

    private void failed(Throwable failure) {
        errors.increment();
        // Redis may have lost what it held (it keeps nothing on disk): store again once it is back.
        storedVersions.clear();
        storedPages.clear();
        if (failing.compareAndSet(false, true)) {
            Log.warnf("Fallback cache unavailable (%s); reads still go to PostgreSQL first", failure.toString());
        }
    }

    private boolean fresh(Stored stored) {
        return stored.at().plus(refreshAfter).isAfter(Instant.now());
    }

    private static Counter reads(MeterRegistry registry, String name, String read) {
        return Counter.builder(name)
                .description("Fallback-cache lookups while PostgreSQL could not answer, by read kind")
                .tag("read", read)
                .register(registry);
    }
}
