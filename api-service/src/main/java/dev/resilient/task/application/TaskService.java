package dev.resilient.task.application;

import java.time.Clock;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Fallback;

import io.quarkus.logging.Log;

import dev.resilient.common.resilience.Dependencies;
import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.shared.cache.CachedPage;
import dev.resilient.shared.cache.RedisTaskCache;
import dev.resilient.shared.cache.TaskCacheConfig;
import dev.resilient.shared.cache.TaskCacheService;
import dev.resilient.shared.contract.IfMatch;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.persistence.TaskRepository;
import dev.resilient.shared.persistence.TaskWriter;

import io.smallrye.mutiny.Uni;

/**
 * The task use cases: turns each request into a {@link TaskWrite} (assigning a new task its id and every write its
 * time) and applies it through the shared write path ({@link TaskWriter}); reads go to the shared repository. Both
 * reach PostgreSQL through {@link Dependencies}. It decides the degraded answers: a read PostgreSQL cannot serve comes
 * from the fallback cache; a write it cannot take is deferred over RabbitMQ (docs/design.md sections 4 and 5).
 */
@ApplicationScoped
public class TaskService {

    /** The page size of {@code GET /tasks} without {@code limit}. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    /** The largest page size a client may ask for. */
    public static final int MAX_PAGE_SIZE = 1_000;

    private final Dependencies dependencies;
    private final TaskRepository repository;
    private final TaskWriter writer;
    private final TaskCacheService cache;
    private final TaskCacheConfig cacheConfig;
    private final DeferredWriteService deferred;
    private final Clock clock;

    public TaskService(
            Dependencies dependencies,
            TaskRepository repository,
            TaskWriter writer,
            TaskCacheService cache,
            TaskCacheConfig cacheConfig,
            DeferredWriteService deferred,
            Clock clock) {
        this.dependencies = dependencies;
        this.repository = repository;
        this.writer = writer;
        this.cache = cache;
        this.cacheConfig = cacheConfig;
        this.deferred = deferred;
        this.clock = clock;
    }

    /**
     * A page of at most {@code limit} tasks after {@code after} (from the start when null), from PostgreSQL; the first
     * pages of the default size refresh their fallback copies on the side. Any failure of PostgreSQL (error, timeout,
     * open breaker; the breaker sits inside this fallback) falls back to the cache.
     */
    @Fallback(fallbackMethod = "fallbackList")
    public Uni<TaskPage> list(PageCursor after, int limit) {
        var afterCreatedAt = after == null ? null : after.createdAt();
        var afterId = after == null ? null : after.id();
        // One more than asked: whether it comes tells whether there is a next page.
        return dependencies
                .postgresRead(() -> repository.pageOldestFirst(afterCreatedAt, afterId, limit + 1))
                .map(tasks ->
                        tasks.stream().map(task -> task.toSnapshot().task()).toList())
                .map(tasks -> {
                    var page = tasks.size() > limit ? tasks.subList(0, limit) : tasks;
                    PageCursor next = null;
                    if (tasks.size() > limit) {
                        var last = page.get(limit - 1);
                        next = PageCursor.after(pageNumber(after) + 1, last.createdAt(), last.id());
                    }
                    if (cached(after, limit)) {
                        cache.rememberPage(cacheKey(after), new CachedPage(page, next == null ? null : next.token()));
                    }
                    return new TaskPage(page, next, false);
                });
    }

    /** The cached page, or 503 when it is not one the cache keeps or there is none: never a made-up answer. */
    Uni<TaskPage> fallbackList(PageCursor after, int limit) {
        if (!cached(after, limit)) {
            return Uni.createFrom().failure(new DependencyUnavailableException(GuardedCalls.POSTGRES_READ, null));
        }
        Log.debug("Listing tasks from the fallback cache");
        return orUnavailable(cache.page(cacheKey(after)))
                .map(page -> new TaskPage(
                        page.tasks(),
                        page.next() == null
                                ? null
                                : PageCursor.parse(page.next()).orElse(null),
                        true));
    }

    /** The fallback cache keeps the first pages of the default size only: bounded, and what most clients read. */
    private boolean cached(PageCursor after, int limit) {
        return limit == DEFAULT_PAGE_SIZE && pageNumber(after) < cacheConfig.listPages();
    }

    private static int pageNumber(PageCursor after) {
        return after == null ? 0 : after.page();
    }

    private static String cacheKey(PageCursor after) {
        return after == null ? RedisTaskCache.FIRST_PAGE : after.token();
    }

    /** One task from PostgreSQL (null snapshot when there is none), with the same fallback as {@link #list}. */
    @Fallback(fallbackMethod = "fallbackFind")
    public Uni<TaskRead> find(UUID id) {
        return dependencies
                .postgresRead(() -> repository.findById(id))
                .map(task -> task == null ? null : task.toSnapshot())
                .invoke(snapshot -> {
                    if (snapshot != null) {
                        cache.remember(snapshot);
                    }
                })
                .map(TaskRead::fresh);
    }

    /** The cached task, or 503 when it is not cached: without PostgreSQL, "not cached" does not mean "not found". */
    Uni<TaskRead> fallbackFind(UUID id) {
        Log.debugf("Reading task %s from the fallback cache", id);
        return orUnavailable(cache.find(id)).map(TaskRead::fallback);
    }

    /** A fallback that has no copy, or cannot read it, leaves PostgreSQL's unavailability as the answer (503). */
    private static <T> Uni<T> orUnavailable(Uni<T> cached) {
        return cached.onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.POSTGRES_READ, failure))
                .onItem()
                .ifNull()
                .failWith(() -> new DependencyUnavailableException(GuardedCalls.POSTGRES_READ, null));
    }

    /*
     * Each write is applied under operationId, and a create makes task taskId: the same ids for every resend of the
     * request (see IdempotentRequest), so a resend answers what its first attempt committed.
     */

    public Uni<WriteAnswer> create(UUID operationId, UUID taskId, String name, TaskStatus status) {
        var initialStatus = status == null ? TaskStatus.PENDING : status;
        return write(operationId, new TaskWrite.CreateTask(taskId, name, initialStatus, clock.instant()));
    }

    public Uni<WriteAnswer> update(UUID operationId, UUID id, String name, TaskStatus status, IfMatch ifMatch) {
        return write(operationId, new TaskWrite.UpdateTask(id, name, status, ifMatch, clock.instant()));
    }

    public Uni<WriteAnswer> delete(UUID operationId, UUID id, IfMatch ifMatch) {
        return write(operationId, new TaskWrite.DeleteTask(id, ifMatch, clock.instant()));
    }

    public Uni<WriteAnswer> deleteAll(UUID operationId) {
        return write(operationId, new TaskWrite.DeleteAllTasks(clock.instant()));
    }

    /**
     * Applies the write now, or, when PostgreSQL cannot take it (error, timeout, open breaker), defers it to the
     * worker (or answers 503 where deferral is off). Business outcomes (404, 412) are answers, never a reason to
     * defer. A write that would overtake deferred writes still queued for the same task (or a queued delete-all) is
     * deferred behind them, so writes are applied in the order they were accepted.
     */
    private Uni<WriteAnswer> write(UUID operationId, TaskWrite write) {
        return deferred.admit(write)
                .chain(admission -> admission.mustQueue()
                        ? deferred.defer(operationId, write)
                        : applyNow(operationId, write, admission.place()));
    }

    /**
     * A failure here may be a timeout after which the transaction still commits; the deferred copy carries the same
     * operation id, so the worker then answers what was committed rather than applying it again.
     */
    private Uni<WriteAnswer> applyNow(UUID operationId, TaskWrite write, long place) {
        return dependencies
                .postgresWrite(() -> writer.apply(operationId, write, place))
                .invoke(outcome -> cache.written(write, outcome))
                .<WriteAnswer>map(WriteAnswer.Applied::new)
                .onFailure(DependencyUnavailableException.class)
                .recoverWithUni(failure -> deferred.enabled()
                        ? deferred.defer(operationId, write)
                        : Uni.createFrom().failure(failure));
    }
}
