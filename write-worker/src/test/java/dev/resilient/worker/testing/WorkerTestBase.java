package dev.resilient.worker.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.quarkus.redis.datasource.RedisDataSource;

import dev.resilient.shared.contract.DeferredTaskWrite;
import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.TaskWrite;
import dev.resilient.shared.deferred.DeferredWriteJournal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * Each test starts from empty queues, an empty journal and empty tables, and plays the API's part: it records a
 * write as deferred in the journal and publishes it, as api-service does.
 */
public abstract class WorkerTestBase {

    protected static final String JOURNAL_PREFIX = "tasks-test-worker:operations:";

    @Inject
    protected DeferredWriteJournal journal;

    @Inject
    protected Rows rows;

    @Inject
    protected ObjectMapper json;

    @Inject
    protected RedisDataSource redis;

    @Inject
    protected CircuitBreakerMaintenance breakers;

    protected Broker broker;

    @BeforeEach
    void emptyEverything() {
        broker = new Broker(json);
        broker.purge();
        var keys = redis.key().keys(JOURNAL_PREFIX + "*");
        if (!keys.isEmpty()) {
            redis.key().del(keys.toArray(String[]::new));
        }
        rows.deleteAll();
        breakers.resetAll();
    }

    @AfterEach
    void closeBroker() throws Exception {
        broker.purge();
        broker.close();
    }

    /** Records the write as deferred (state pending, its place in its task's order), like the API does. */
    protected DeferredTaskWrite defer(TaskWrite write) {
        var operation = UUID.randomUUID();
        var publication = UUID.randomUUID();
        var acceptedAt = Instant.now();
        var place = journal.defer(DeferredWriteState.pending(operation, acceptedAt), write, publication)
                .await()
                .atMost(Duration.ofSeconds(5));
        return new DeferredTaskWrite(operation, write, acceptedAt, place, publication);
    }

    /** Defers and publishes, as the API does for a write PostgreSQL could not take. */
    protected DeferredTaskWrite deferAndPublish(TaskWrite write) {
        var deferred = defer(write);
        broker.publish(deferred);
        return deferred;
    }

    protected DeferredWriteState state(UUID operationId) {
        return journal.find(operationId).await().atMost(Duration.ofSeconds(5));
    }

    /** Waits until the operation is final, and returns its state. */
    protected DeferredWriteState awaitFinal(UUID operationId) {
        return await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> state(operationId),
                        state -> state != null && state.status().isFinal());
    }

    protected static TaskWrite.CreateTask create(String name) {
        return new TaskWrite.CreateTask(
                UUID.randomUUID(), name, dev.resilient.shared.contract.TaskStatus.PENDING, Instant.now());
    }

    protected static TaskWrite.UpdateTask rename(UUID taskId, String name) {
        return new TaskWrite.UpdateTask(taskId, name, null, null, Instant.now());
    }
}
