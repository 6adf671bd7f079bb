package dev.resilient.common.idempotency;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.AlwaysUnavailableResource;
import dev.resilient.testsupport.Tokens;

import io.restassured.http.ContentType;

/** A 5xx is never stored: the claim is released, so the client's retry runs again instead of replaying a failure. */
@QuarkusTest
class IdempotencyServerErrorTest {

    private static final String PREFIX = "tasks-test:idempotency:";

    @Inject
    RedisDataSource redis;

    @Test
    void aServerErrorIsNotReplayed() {
        var key = UUID.randomUUID().toString();

        post(key).then().statusCode(503);
        assertThat(redis.key()
                        .exists(IdempotencyFilters.redisKey(
                                PREFIX, Tokens.SUBJECT, "POST", AlwaysUnavailableResource.PATH, key)))
                .as("the claim was released")
                .isFalse();
        post(key).then().statusCode(503).header("Idempotent-Replayed", nullValue());
    }

    private static io.restassured.response.Response post(String key) {
        return given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"name\":\"a\"}")
                .post(AlwaysUnavailableResource.PATH);
    }
}
