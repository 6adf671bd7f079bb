package dev.resilient.testing;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.restassured.http.ContentType;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * What every outage test shares: both dependencies healthy and every breaker closed before and after each test
 * (whatever the test did, so one test's outage never leaks into the next), an empty table, no deferred writes
 * left from another test, a key on every write.
 * Subclasses add {@code @WithTestResource(ProxiedDependencies.class)}.
 */
public abstract class OutageTestBase {

    @Inject
    protected TaskRows rows;

    @Inject
    protected CircuitBreakerMaintenance breakers;

    @Inject
    protected DeferredWrites deferredWrites;

    @BeforeEach
    void healthy() {
        restoreDependencies();
        rows.deleteAll();
        deferredWrites.forgetAll();
        FreshIdempotencyKeys.install();
    }

    @AfterEach
    void restore() {
        FreshIdempotencyKeys.remove();
        restoreDependencies();
        rows.deleteAll();
        deferredWrites.forgetAll();
    }

    private void restoreDependencies() {
        ProxiedDependencies.postgres().pass();
        ProxiedDependencies.redis().pass();
        ProxiedDependencies.rabbitmq().pass();
        breakers.resetAll();
    }

    protected static UUID create(String name) {
        return UUID.fromString(given().contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }
}
