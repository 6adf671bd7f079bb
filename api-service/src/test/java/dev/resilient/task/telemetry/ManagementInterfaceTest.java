package dev.resilient.task.telemetry;

import static dev.resilient.testsupport.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Health, metrics and the OpenAPI document answer on the management port only: whoever can reach the API's port sees
 * the API and nothing else (a scraper or a probe uses the other port, which stays inside the cluster or host).
 */
@QuarkusTest
class ManagementInterfaceTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/q/metrics",
                "/q/health",
                "/q/health/ready",
                "/q/health/live",
                "/q/health/started",
                "/q/openapi",
                "/q/swagger-ui/"
            })
    void theApiPortAnswersNotFoundUnderQ(String path) {
        given().get(path).then().statusCode(404);
        management().get(path).then().statusCode(200);
    }

    @Test
    void theManagementPortServesProbesAndTheScrape() {
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
        management().get("/tasks").then().statusCode(404);
    }
}
