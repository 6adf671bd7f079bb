package dev.resilient.testing;

import java.nio.file.Path;
import java.util.Map;

import dev.resilient.testsupport.ServiceProcess;

/** write-worker as a separate process, wired to what these tests use: the PostgreSQL proxy, the test queues. */
public final class Worker {

    private Worker() {}

    public static ServiceProcess process(String logName) {
        var jar = Path.of("..", "write-worker", "target", "quarkus-app", "quarkus-run.jar")
                .toAbsolutePath()
                .normalize();
        return ServiceProcess.of(
                jar,
                Map.of(
                        "DB_HOST",
                        "127.0.0.1",
                        "DB_PORT",
                        String.valueOf(ProxiedDependencies.postgres().port()),
                        "DB_NAME",
                        "tasks_test_api",
                        "TASKS_MESSAGING_PREFIX",
                        DeferredWrites.TOPOLOGY.prefix(),
                        "TASKS_JOURNAL_KEY_PREFIX",
                        DeferredWrites.JOURNAL_PREFIX,
                        "TASKS_CACHE_KEY_PREFIX",
                        ProxiedDependencies.CACHE_PREFIX,
                        "TASKS_REDIS_INCARNATION_KEY",
                        ProxiedDependencies.INCARNATION_KEY,
                        // Quick to trip and to probe, like the API's breakers in these tests.
                        "QUARKUS_FAULT_TOLERANCE__DEV_RESILIENT_WORKER_RESILIENCE_WORKERGUARDS_POSTGRES__CIRCUIT_BREAKER_DELAY",
                        "1"),
                Path.of("target", logName).toAbsolutePath());
    }
}
