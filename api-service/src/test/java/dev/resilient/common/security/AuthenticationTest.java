package dev.resilient.common.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;

import dev.resilient.testing.TaskRows;
import dev.resilient.testsupport.Tokens;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;

/**
 * Who may do what: a request without a valid token is a 401 with a Bearer challenge, one without the scope it needs
 * a 403, both problem details that change nothing; and what one client stored under an Idempotency-Key is never
 * another client's answer.
 */
@QuarkusTest
class AuthenticationTest {

    private static final String PREFIX = "tasks-test:idempotency:";

    @Inject
    TaskRows rows;

    @Inject
    RedisDataSource redis;

    @AfterEach
    void cleanUp() {
        rows.deleteAll();
    }

    @Test
    void aRequestWithoutATokenIsChallenged() {
        given().noFilters()
                .get("/tasks")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .contentType("application/problem+json")
                .body("status", equalTo(401))
                .body("detail", containsString("bearer token"));
    }

    @Test
    void theWarmUpsOwnCredentialCannotBeGuessed() {
        given().noFilters()
                .header("X-Tasks-Warm-Up", "guess")
                .get("/tasks")
                .then()
                .statusCode(401);
    }

    @Test
    void aTokenThisApiDoesNotTrustIsRefusedAsInvalid() {
        var otherIssuer = Jwt.issuer("https://someone-else.example")
                .subject(Tokens.SUBJECT)
                .claim("scope", Tokens.ALL_SCOPES)
                .jws()
                .sign(Tokens.privateKey());
        var expired = Jwt.issuer(Tokens.ISSUER)
                .subject(Tokens.SUBJECT)
                .claim("scope", Tokens.ALL_SCOPES)
                .issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600))
                .jws()
                .sign(Tokens.privateKey());
        var tampered = Tokens.standard().substring(0, Tokens.standard().length() - 4) + "AAAA";

        for (var token : new String[] {otherIssuer, expired, tampered, "not-a-jwt"}) {
            as(token)
                    .get("/tasks")
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
                    .contentType("application/problem+json");
        }
    }

    @Test
    void aReadOnlyTokenReadsButCannotWriteAndItsWriteLeavesNoTrace() {
        var reader = Tokens.forSubject("reader", "tasks:read");
        var key = UUID.randomUUID().toString();
        var recordsBefore = idempotencyRecords();

        as(reader).get("/tasks").then().statusCode(200);
        as(reader)
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "not allowed"))
                .post("/tasks")
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("tasks:write"));

        assertThat(rows.count()).isZero();
        assertThat(idempotencyRecords()).as("idempotency records").isEqualTo(recordsBefore);
    }

    @Test
    void deletingEveryTaskTakesTheAdminScope() {
        var writer = Tokens.forSubject("writer", "tasks:read tasks:write");
        create(writer, UUID.randomUUID().toString(), "kept").then().statusCode(201);

        as(writer)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .delete("/tasks")
                .then()
                .statusCode(403);
        assertThat(rows.count()).isEqualTo(1);

        as(Tokens.forSubject("admin", "tasks:admin"))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .delete("/tasks")
                .then()
                .statusCode(204);
        assertThat(rows.count()).isZero();
    }

    @Test
    void twoClientsUsingTheSameKeyNeverSeeEachOthersAnswer() {
        var key = UUID.randomUUID().toString();
        var alice = Tokens.forSubject("alice", "tasks:read tasks:write");
        var bob = Tokens.forSubject("bob", "tasks:read tasks:write");

        var first = create(alice, key, "same body");
        var other = create(bob, key, "same body");
        var resent = create(alice, key, "same body");

        first.then().statusCode(201);
        other.then().statusCode(201).header("Idempotent-Replayed", not(equalTo("true")));
        resent.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertThat(other.path("id").toString()).isNotEqualTo(first.path("id").toString());
        assertThat(resent.path("id").toString()).isEqualTo(first.path("id").toString());
        assertThat(rows.count()).isEqualTo(2);
    }

    private int idempotencyRecords() {
        return redis.key().keys(PREFIX + "*").size();
    }

    private static Response create(String token, String key, String name) {
        return as(token)
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name))
                .post("/tasks");
    }

    private static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }
}
