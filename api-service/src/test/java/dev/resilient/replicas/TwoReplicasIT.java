package dev.resilient.replicas;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.resilient.testing.BearerToken;
import dev.resilient.testsupport.Env;
import dev.resilient.testsupport.FaultProxy;
import dev.resilient.testsupport.LocalPostgresDatabase;
import dev.resilient.testsupport.PrometheusText;
import dev.resilient.testsupport.ServiceProcess;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Two api-service replicas and two write-workers, each its own process from the packaged jars, sharing PostgreSQL,
 * Redis and RabbitMQ as replicas in production do: what the README promises across replicas, tried. A resend with the
 * same Idempotency-Key is answered by the other replica with the first answer; concurrent attempts on both make one
 * task; deferred writes to one task, accepted by both replicas in turn, are applied in the order accepted; and two
 * competing workers apply each deferred write exactly once.
 *
 * <p>Runs after {@code package} (failsafe, {@code mvn verify}). The replicas reach PostgreSQL through a fault proxy of
 * this test (refused: their writes are deferred), the workers reach it directly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoReplicasIT {

    private static final String DATABASE = "tasks_test_replicas";
    private static final String RUN = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static FaultProxy postgres;
    private static final List<ServiceProcess> processes = new ArrayList<>();
    private static ServiceProcess api1;
    private static ServiceProcess api2;
    private static ServiceProcess worker1;
    private static ServiceProcess worker2;

    @BeforeAll
    static void startTwoOfEach() throws Exception {
        BearerToken.install();
        var database = new LocalPostgresDatabase();
        database.init(Map.of("database", DATABASE));
        database.start();
        postgres = FaultProxy.start(Env.get("DB_HOST", "127.0.0.1"), Integer.parseInt(Env.get("DB_PORT", "5432")));

        var shared = new HashMap<String, String>();
        shared.put("DB_NAME", DATABASE);
        shared.put("TASKS_MESSAGING_PREFIX", "tasks-" + RUN + ".writes");
        shared.put("TASKS_MESSAGING_INITIAL_DELAY", "1S");
        shared.put("TASKS_JOURNAL_KEY_PREFIX", "tasks-" + RUN + ":operations:");
        shared.put("TASKS_CACHE_KEY_PREFIX", "tasks-" + RUN + ":cache:");
        shared.put("TASKS_IDEMPOTENCY_KEY_PREFIX", "tasks-" + RUN + ":idempotency:");
        shared.put("TASKS_REDIS_INCARNATION_KEY", "tasks-" + RUN + ":incarnation");
        var api = new HashMap<>(shared);
        api.put("DB_PORT", String.valueOf(postgres.port()));
        api.put("TASKS_API_WARM_UP_ENABLED", "false");
        var logs = Files.createDirectories(Path.of("target", "two-replicas"));
        var apiJar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        var workerJar = Path.of("..", "write-worker", "target", "quarkus-app", "quarkus-run.jar");

        api1 = started(ServiceProcess.of(apiJar, api, logs.resolve("api1.log")));
        api2 = started(ServiceProcess.of(apiJar, api, logs.resolve("api2.log")));
        worker1 = started(ServiceProcess.of(workerJar, shared, logs.resolve("worker1.log")));
        worker2 = started(ServiceProcess.of(workerJar, shared, logs.resolve("worker2.log")));
        // The schema comes from api-service's background migration; the workers need it before they apply anything.
        await().atMost(WAIT).ignoreExceptions().until(() -> count("select count(*) from tasks where false") == 0);
    }

    @AfterAll
    static void stopAll() throws Exception {
        processes.forEach(ServiceProcess::close);
        if (postgres != null) {
            postgres.close();
        }
        try (var connection = connection();
                var delete = connection.prepareStatement("delete from tasks where name like ?")) {
            delete.setString(1, RUN + "%");
            delete.executeUpdate();
        }
    }

    @Test
    @Order(1)
    void aResendToTheOtherReplicaIsAnsweredWithTheFirstAnswer() throws Exception {
        var key = UUID.randomUUID().toString();
        var body = Map.of("name", RUN + " resent");

        var first = write(api1, "POST", "/tasks", key, body);
        var resent = write(api2, "POST", "/tasks", key, body);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(resent.statusCode()).isEqualTo(201);
        assertThat(resent.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(resent.jsonPath().getString("id")).isEqualTo(first.jsonPath().getString("id"));
        assertThat(resent.jsonPath().getString("createdAt"))
                .isEqualTo(first.jsonPath().getString("createdAt"));
        assertThat(count("select count(*) from tasks where name = '" + RUN + " resent'"))
                .isOne();
    }

    @Test
    @Order(2)
    void concurrentAttemptsWithOneKeyOnBothReplicasCreateOneTask() throws Exception {
        var key = UUID.randomUUID().toString();
        var body = Map.of("name", RUN + " raced");
        var attempts = new ArrayList<Callable<Response>>();
        for (int i = 0; i < 16; i++) {
            var replica = i % 2 == 0 ? api1 : api2;
            attempts.add(() -> write(replica, "POST", "/tasks", key, body));
        }

        var pool = Executors.newFixedThreadPool(16);
        var answers = new ArrayList<Response>();
        try {
            for (var answer : pool.invokeAll(attempts)) {
                answers.add(answer.get());
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }

        var created = answers.stream().filter(a -> a.statusCode() == 201).toList();
        assertThat(answers)
                .as("each attempt: the task, or 409 while the first is still in progress")
                .allSatisfy(answer -> assertThat(answer.statusCode()).isIn(201, 409));
        assertThat(created).isNotEmpty();
        assertThat(created.stream().map(a -> a.jsonPath().getString("id")).distinct())
                .hasSize(1);
        assertThat(count("select count(*) from tasks where name = '" + RUN + " raced'"))
                .isOne();
    }

    @Test
    @Order(3)
    void deferredWritesToOneTaskThroughBothReplicasAreAppliedInTheOrderAccepted() throws Exception {
        var create = write(api1, "POST", "/tasks", UUID.randomUUID().toString(), Map.of("name", RUN + " v0"));
        assertThat(create.statusCode()).isEqualTo(201);
        var taskId = create.jsonPath().getString("id");
        postgres.refuse();
        try {
            Response last = null;
            for (int version = 1; version <= 10; version++) {
                var replica = version % 2 == 0 ? api1 : api2;
                last = write(
                        replica,
                        "PUT",
                        "/tasks/" + taskId,
                        UUID.randomUUID().toString(),
                        Map.of("name", RUN + " v" + version));
                assertThat(last.statusCode()).as("PUT v%d", version).isEqualTo(202);
            }

            var state = awaitFinal(api2, last.jsonPath());
            assertThat(state.getString("status")).isEqualTo("completed");
            assertThat(name(taskId)).isEqualTo(RUN + " v10");
        } finally {
            postgres.pass();
        }
    }

    @Test
    @Order(4)
    void twoCompetingWorkersApplyEachDeferredWriteExactlyOnce() throws Exception {
        var before = completed(worker1) + completed(worker2);
        var firstWorkerBefore = completed(worker1);
        var secondWorkerBefore = completed(worker2);
        postgres.refuse();
        var accepted = new ArrayList<JsonPath>();
        try {
            for (int i = 0; i < 200; i++) {
                var replica = i % 2 == 0 ? api1 : api2;
                var answer = write(
                        replica, "POST", "/tasks", UUID.randomUUID().toString(), Map.of("name", RUN + " many " + i));
                assertThat(answer.statusCode()).isEqualTo(202);
                accepted.add(answer.jsonPath());
            }
        } finally {
            postgres.pass();
        }

        await().atMost(WAIT)
                .until(() -> count("select count(*) from tasks where name like '" + RUN + " many %'") == 200);
        await().atMost(WAIT).until(() -> completed(worker1) + completed(worker2) - before >= 200);
        assertThat(completed(worker1) + completed(worker2) - before)
                .as("writes applied by the two workers together")
                .isEqualTo(200);
        assertThat(completed(worker1)).as("applied by the first").isGreaterThan(firstWorkerBefore);
        assertThat(completed(worker2)).as("applied by the second").isGreaterThan(secondWorkerBefore);
        for (var operation : accepted) {
            assertThat(awaitFinal(api1, operation).getString("status")).isEqualTo("completed");
        }
    }

    private static ServiceProcess started(ServiceProcess process) {
        processes.add(process);
        return process.start();
    }

    private static Response write(ServiceProcess replica, String method, String path, String key, Object body) {
        return given().baseUri("http://127.0.0.1:" + replica.port())
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(body)
                .request(method, path);
    }

    private static JsonPath awaitFinal(ServiceProcess replica, JsonPath accepted) {
        var location = accepted.getString("location");
        return await().atMost(WAIT)
                .until(
                        () -> given().baseUri("http://127.0.0.1:" + replica.port())
                                .get(location)
                                .then()
                                .extract()
                                .jsonPath(),
                        state -> List.of("completed", "failed").contains(state.getString("status")));
    }

    private static double completed(ServiceProcess worker) {
        var scrape = given().baseUri("http://127.0.0.1:" + worker.managementPort())
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return PrometheusText.sum(
                scrape,
                sample -> sample.name().equals("tasks_worker_deferred_writes_total")
                        && sample.series().contains("outcome=\"completed\""));
    }

    private static String name(String taskId) throws SQLException {
        try (var connection = connection();
                var query = connection.prepareStatement("select name from tasks where id = ?::uuid")) {
            query.setString(1, taskId);
            try (var result = query.executeQuery()) {
                return result.next() ? result.getString(1) : null;
            }
        }
    }

    private static long count(String sql) throws SQLException {
        try (var connection = connection();
                var statement = connection.createStatement();
                var result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static java.sql.Connection connection() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + Env.get("DB_HOST", "127.0.0.1") + ":" + Env.get("DB_PORT", "5432") + "/"
                        + DATABASE,
                Env.get("DB_USER", "tasks"),
                Env.get("DB_PASSWORD", "tasks"));
    }
}
