package dev.resilient.common.idempotency;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;

import dev.resilient.common.resilience.GuardedCalls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;

/**
 * The Redis side of idempotency. Every call is one round trip behind the redis-idempotency breaker (but the withdrawal
 * of a claim whose answer timed out, a compensation); a failure, timeout or open breaker surfaces as {@link
 * IdempotencyUnavailableException}.
 */
@ApplicationScoped
class IdempotencyStore {

    /** Replaces the value only if it is still exactly our claim (a compare-and-set, atomic inside Redis). */
    private static final String REPLACE_OWN_CLAIM =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])"
                    + " else return nil end";
    /** Deletes the value only if it is still exactly our claim. */
    private static final String DELETE_OWN_CLAIM =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    /** Records are our own format, read by a plain mapper (the API's is strict about absent and null fields). */
    private final ObjectMapper json = new ObjectMapper();

    private final ReactiveRedisDataSource redis;
    private final ReactiveValueCommands<String, String> values;
    private final IdempotencyConfig config;
    private final GuardedCalls guarded;

    IdempotencyStore(ReactiveRedisDataSource redis, IdempotencyConfig config, GuardedCalls guarded) {
        this.redis = redis;
        this.values = redis.value(String.class, String.class);
        this.config = config;
        this.guarded = guarded;
    }

    /**
     * Claims the key for this request, in one atomic {@code SET NX GET}: null when the claim is ours, else what the
     * key already holds (a claim in flight or a finished response).
     */
    Uni<IdempotencyRecord> claim(String key, IdempotencyRecord claim) {
        return guarded.redisIdempotency(() ->
                        values.setGet(key, write(claim), new SetArgs().nx().px(config.lockTtl())))
                .onFailure(TimeoutException.class)
                .call(() -> withdraw(key, claim))
                .onFailure()
                .transform(IdempotencyUnavailableException::new)
                .map(existing -> existing == null ? null : read(existing));
    }

    /**
     * A claim whose answer timed out may still have been set: its client is answered 503 and resends with the same
     * key, and a claim nobody holds would refuse that resend (409) until it expires. Deleted if it is still ours, as a
     * compensation no breaker may skip (the same timeouts open the breaker); a failure leaves it to expire.
     */
    private Uni<Void> withdraw(String key, IdempotencyRecord claim) {
        return guarded.redisCompensation(() -> redis.execute("EVAL", DELETE_OWN_CLAIM, "1", key, write(claim)))
                .replaceWithVoid()
                .onFailure()
                .recoverWithNull();
    }

    /** Stores the response of our claim for replay, unless the claim was lost (expired and taken over). */
    Uni<Void> complete(String key, IdempotencyRecord claim, IdempotencyRecord response) {
        var ttl = String.valueOf(config.recordTtl().toMillis());
        return bounded(redis.execute("EVAL", REPLACE_OWN_CLAIM, "1", key, write(claim), write(response), ttl))
                .replaceWithVoid();
    }

    /** Frees the key so the client may retry (after a 5xx, which is never stored). */
    Uni<Void> release(String key, IdempotencyRecord claim) {
        return bounded(redis.execute("EVAL", DELETE_OWN_CLAIM, "1", key, write(claim)))
                .replaceWithVoid();
    }

    /** Behind the redis-idempotency breaker, whose timeout bounds every call. */
    private <T> Uni<T> bounded(Uni<T> call) {
        return guarded.redisIdempotency(() -> call).onFailure().transform(IdempotencyUnavailableException::new);
    }

    private String write(IdempotencyRecord record) {
        try {
            return json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an idempotency record", e);
        }
    }

    private IdempotencyRecord read(String value) {
        try {
            return json.readValue(value, IdempotencyRecord.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable idempotency record", e);
        }
    }
}
