package dev.resilient.testsupport;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * Requests to the management interface of the service under test (health, metrics), which listens on a port of its
 * own: the API's port answers 404 under {@code /q/}.
 */
public final class Management {

    private Management() {}

    /** Like RestAssured's {@code given()}, aimed at the management port of the running {@code @QuarkusTest}. */
    public static RequestSpecification management() {
        return RestAssured.given().port(port());
    }

    /** The port the management interface listens on in this test run (chosen at start: test-port 0). */
    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }
}
