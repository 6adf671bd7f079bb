package dev.resilient.common.idempotency;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;

import io.quarkus.logging.Log;

import dev.resilient.common.problem.ProblemResponses;
import dev.resilient.common.security.Subject;
import dev.resilient.shared.contract.Problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Gives every write (POST, PUT, DELETE) the semantics of the IETF Idempotency-Key draft, as docs/design.md section 3
 * tightens it. Before the resource runs, the key (scoped to client, method and path) is claimed in Redis together with a
 * SHA-256 fingerprint of the body; a duplicate is answered from the stored response ({@code Idempotent-Replayed:
 * true}), or after a short wait for the request in flight, or with 409. After the resource, the response is stored
 * byte for byte, unless it is a 5xx: then the claim is released so that the client may retry.
 */
public class IdempotencyFilters {

    static final String REPLAYED = "Idempotent-Replayed";
    private static final Set<String> WRITES = Set.of("POST", "PUT", "DELETE");
    private static final List<String> REPLAYED_HEADERS = List.of(
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.LOCATION,
            HttpHeaders.ETAG,
            HttpHeaders.LAST_MODIFIED,
            HttpHeaders.RETRY_AFTER,
            HttpHeaders.ALLOW);
    private static final String CLAIM = IdempotencyFilters.class.getName() + ".claim";

    private final IdempotencyConfig config;
    private final IdempotencyStore store;
    private final ObjectMapper mapper;
    private final Counter replays;
    private final Counter mismatches;
    private final Counter conflicts;
    private final IdempotentRequest identity;
    private final Subject subject;

    public IdempotencyFilters(
            IdempotencyConfig config,
            IdempotencyStore store,
            ObjectMapper mapper,
            MeterRegistry registry,
            IdempotentRequest identity,
            Subject subject) {
        this.config = config;
        this.subject = subject;
        this.store = store;
        this.mapper = mapper;
        this.identity = identity;
        this.replays = Counter.builder("tasks.idempotency.replays")
                .description("Writes answered from a stored response")
                .register(registry);
        this.mismatches = Counter.builder("tasks.idempotency.mismatches")
                .description("Idempotency keys reused with another request body (422)")
                .register(registry);
        this.conflicts = Counter.builder("tasks.idempotency.conflicts")
                .description("Duplicates refused because the first request was still in flight (409)")
                .register(registry);
    }

    /** A claim this request holds on a key, remembered until its response is stored. */
    private record Claim(String key, IdempotencyRecord record) {}

    /** Runs after the body was read (it is fingerprinted), before validation and the resource. */
    @ServerRequestFilter
    @WithFormRead
    public Uni<Response> claimKey(ContainerRequestContext request) {
        if (!config.enabled() || !WRITES.contains(request.getMethod())) {
            return Uni.createFrom().nullItem();
        }
        var key = IdempotencyKey.from(request.getHeaders());
        var path = request.getUriInfo().getPath();
        var fingerprint = sha256(readBody(request));
        return subject.current().chain(client -> {
            var redisKey = redisKey(config.keyPrefix(), client, request.getMethod(), path, key.value());
            var claim = IdempotencyRecord.inFlight(UUID.randomUUID().toString(), fingerprint);
            identity.identify(client, request.getMethod(), path, key.value(), fingerprint);
            var deadline = Instant.now().plus(config.inFlightWait());
            return claimOrAnswer(request, new Claim(redisKey, claim), path, deadline)
                    .onFailure(IdempotencyUnavailableException.class)
                    .recoverWithItem(failure -> unavailable(path, failure));
        });
    }

    /** Stores what the claimed request answered, or releases the claim if it answered 5xx. */
    @ServerResponseFilter
    public Uni<Void> storeResponse(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(CLAIM) instanceof Claim claim)) {
            return Uni.createFrom().voidItem();
        }
        if (response.getStatus() >= 500) {
            return store.release(claim.key(), claim.record())
                    .onFailure()
                    .invoke(failure -> Log.warnf("Could not release idempotency claim: %s", failure.getMessage()))
                    .onFailure()
                    .recoverWithNull();
        }
        var body = bodyBytes(response);
        if (body.length > 0) {
            // What goes out now is exactly the bytes stored for replay.
            response.setEntity(body, null, response.getMediaType());
        }
        var headers = new LinkedHashMap<String, String>();
        for (var name : REPLAYED_HEADERS) {
            var value = response.getHeaderString(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        var stored = new IdempotencyRecord(
                claim.record().claim(),
                claim.record().fingerprint(),
                response.getStatus(),
                headers,
                Base64.getEncoder().encodeToString(body));
        return store.complete(claim.key(), claim.record(), stored)
                .onFailure()
                .invoke(failure -> Log.warnf(
                        "Could not store the response for replay (a retry within %s may be refused or re-run): %s",
                        config.lockTtl(), failure.getMessage()))
                .onFailure()
                .recoverWithNull();
    }

    private Uni<Response> claimOrAnswer(ContainerRequestContext request, Claim claim, String path, Instant deadline) {
        return store.claim(claim.key(), claim.record()).chain(existing -> {
            if (existing == null) {
                request.setProperty(CLAIM, claim);
                return Uni.createFrom().nullItem();
            }
            if (!existing.fingerprint().equals(claim.record().fingerprint())) {
                mismatches.increment();
                return Uni.createFrom().item(mismatch(path));
            }
            if (existing.completed()) {
                replays.increment();
                return Uni.createFrom().item(replay(existing));
            }
            if (Instant.now().isAfter(deadline)) {
                conflicts.increment();
                return Uni.createFrom().item(inFlight(path));
            }
            return Uni.createFrom()
                    .voidItem()
                    .onItem()
                    .delayIt()
                    .by(config.inFlightPoll())
                    .chain(() -> claimOrAnswer(request, claim, path, deadline));
        });
    }

    private static Response replay(IdempotencyRecord stored) {
        var response = Response.status(stored.status()).header(REPLAYED, "true");
        stored.headers().forEach(response::header);
        var body = Base64.getDecoder().decode(stored.body());
        if (body.length > 0) {
            response.entity(body);
        }
        return response.build();
    }

    private Response mismatch(String path) {
        var problem = Problem.of(
                422,
                ProblemResponses.reasonPhrase(422),
                "This Idempotency-Key was already used for a different request body on " + path
                        + "; use a new key for a new write.");
        return ProblemResponses.of(problem, path).build();
    }

    private Response inFlight(String path) {
        return retryLater(
                409,
                "A request with this Idempotency-Key is still being processed; retry after "
                        + config.retryAfterSeconds() + " s to get its response.",
                path);
    }

    private Response unavailable(String path, Throwable failure) {
        Log.debugf("Idempotency store unavailable: %s", failure.getCause());
        return retryLater(
                503,
                "Writes are paused: the request could not be protected against duplicates. Retry after "
                        + config.retryAfterSeconds() + " s with the same Idempotency-Key.",
                path);
    }

    private Response retryLater(int status, String detail, String path) {
        var problem = Problem.of(status, ProblemResponses.reasonPhrase(status), detail);
        return ProblemResponses.of(problem, path)
                .header(HttpHeaders.RETRY_AFTER, config.retryAfterSeconds())
                .build();
    }

    /** The request body, read and put back so that the resource still gets it. */
    private static byte[] readBody(ContainerRequestContext request) {
        if (!request.hasEntity()) {
            return new byte[0];
        }
        try (var stream = request.getEntityStream()) {
            var body = stream.readAllBytes();
            request.setEntityStream(new ByteArrayInputStream(body));
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] bodyBytes(ContainerResponseContext response) {
        var entity = response.getEntity();
        if (entity == null) {
            return new byte[0];
        }
        if (entity instanceof byte[] bytes) {
            return bytes;
        }
        if (entity instanceof String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return mapper.writeValueAsBytes(entity);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a response for replay", e);
        }
    }

    /**
     * The Redis key of a record: scoped to the client (the token's subject), method and path, hashed so any key text
     * is safe in Redis. Two clients sending the same key never meet.
     */
    static String redisKey(String prefix, String client, String method, String path, String key) {
        return prefix + sha256(client + "\n" + method + " " + path + "\n" + key);
    }

    private static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
