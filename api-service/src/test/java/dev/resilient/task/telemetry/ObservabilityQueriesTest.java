package dev.resilient.task.telemetry;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.OutageTestBase;
import dev.resilient.testing.PromQl;
import dev.resilient.testing.ProxiedDependencies;
import dev.resilient.testing.Worker;
import dev.resilient.testsupport.Env;
import dev.resilient.testsupport.PrometheusText;

import io.restassured.http.ContentType;

/**
 * Every metric the Grafana dashboards and the alert rules of observability/ query is one that a running system
 * really exposes: api-service and write-worker (a process of its own) scraped after a write was deferred during a
 * PostgreSQL outage and applied by the worker, and RabbitMQ's prometheus plugin. A renamed metric, or a query typed
 * against a name that never existed, fails here instead of leaving an empty panel or an alert that can never fire.
 */
@QuarkusTest
@WithTestResource(value = ProxiedDependencies.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ObservabilityQueriesTest extends OutageTestBase {

    private static final Path OBSERVABILITY = Path.of("..", "observability");

    /** Made by Prometheus itself for every target, not scraped. */
    private static final Set<String> SYNTHETIC = Set.of("up");

    @Test
    void everyDashboardAndAlertQueryReadsMetricsTheSystemExposes() throws Exception {
        var task = create("served from the cache");
        given().get("/tasks/{id}", task).then().statusCode(200);
        ProxiedDependencies.postgres().refuse();
        given().get("/tasks/{id}", task).then().statusCode(200); // from the fallback cache
        var accepted = given().contentType(ContentType.JSON)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("name", "deferred"))
                .post("/tasks")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        ProxiedDependencies.postgres().pass();
        breakers.resetAll();

        var exposed = new TreeSet<String>();
        try (var worker = Worker.process("worker-observability.log").start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get(accepted.getString("location"))
                    .then()
                    .extract()
                    .path("status")
                    .equals("completed"));
            exposed.addAll(names(management()
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString()));
            exposed.addAll(names(scrape("http://127.0.0.1:" + worker.managementPort() + "/q/metrics")));
        }
        exposed.addAll(names(scrape(rabbitMqMetrics())));

        var queried = queriedMetrics();
        assertThat(queried)
                .as("files with queries in observability/")
                .containsKeys(
                        "grafana/dashboards/resilience.json",
                        "grafana/dashboards/runtime.json",
                        "prometheus/rules/tasks-alerts.yml");
        assertThat(queried.values().stream().flatMap(Set::stream).distinct())
                .as("metrics queried")
                .hasSizeGreaterThan(20);
        var unknown = new TreeMap<String, Set<String>>();
        queried.forEach((file, names) -> {
            var missing = names.stream()
                    .filter(name -> !exposed.contains(name) && !SYNTHETIC.contains(name))
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!missing.isEmpty()) {
                unknown.put(file, missing);
            }
        });
        assertThat(unknown)
                .as("metrics queried but exposed by nothing, per file")
                .isEmpty();
    }

    /** File name to the metric names its queries read: the Grafana dashboards and the alert rules. */
    private static Map<String, Set<String>> queriedMetrics() throws IOException {
        var queried = new TreeMap<String, Set<String>>();
        try (Stream<Path> files = Files.walk(OBSERVABILITY)) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                var names = queries(OBSERVABILITY.relativize(file)).stream()
                        .flatMap(query -> PromQl.metricNames(query).stream())
                        .collect(Collectors.toCollection(TreeSet::new));
                if (!names.isEmpty()) {
                    queried.put(OBSERVABILITY.relativize(file).toString(), names);
                }
            }
        }
        return queried;
    }

    /** The PromQL of one file of observability/ (none for files that hold no queries, or only rule tests). */
    private static List<String> queries(Path file) {
        var path = file.toString();
        if (path.startsWith("grafana/dashboards/") && path.endsWith(".json")) {
            return PromQl.dashboardQueries(OBSERVABILITY.resolve(file));
        }
        if (path.startsWith("prometheus/rules/") && path.endsWith(".yml") && !path.endsWith(".test.yml")) {
            return PromQl.ruleExpressions(OBSERVABILITY.resolve(file));
        }
        return List.of();
    }

    /** The per-queue series (queue depths), which the plugin's default endpoint leaves out. */
    private static String rabbitMqMetrics() {
        return "http://" + Env.get("RABBITMQ_HOST", "127.0.0.1")
                + ":15692/metrics/detailed?family=queue_coarse_metrics";
    }

    private static Set<String> names(String scrape) {
        return PrometheusText.samples(scrape).stream()
                .map(PrometheusText.Sample::name)
                .collect(Collectors.toSet());
    }

    private static String scrape(String url) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as(url + " (RabbitMQ's prometheus plugin: `make deps` enables it)")
                .isEqualTo(200);
        return response.body();
    }
}
