package dev.resilient.task.infrastructure.operations;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;

import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.common.resilience.GuardedCalls;
import dev.resilient.shared.contract.OperationState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;

/** Where deferred writes stand, in Redis, each for {@code tasks.operations.ttl}; the worker moves them forward. */
@ApplicationScoped
public class OperationStore {

    /** States are our own format, read by a plain mapper (the API's rejects absent fields, which NON_NULL omits). */
    private static final ObjectMapper PLAIN = new ObjectMapper().findAndRegisterModules();

    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper json;
    private final GuardedCalls guarded;
    private final OperationsConfig config;

    public OperationStore(
            ReactiveRedisDataSource redis, ObjectMapper json, GuardedCalls guarded, OperationsConfig config) {
        this.values = redis.value(String.class, String.class);
        this.json = json;
        this.guarded = guarded;
        this.config = config;
    }

    public Uni<Void> save(OperationState state) {
        return guarded(values.set(key(state.id()), write(state), new SetArgs().px(config.ttl())));
    }

    /** The state, or null when the operation is unknown or expired. */
    public Uni<OperationState> find(UUID id) {
        return guarded(values.get(key(id))).map(value -> value == null ? null : read(value));
    }

    public Uni<Void> delete(UUID id) {
        return guarded(values.getdel(key(id))).replaceWithVoid();
    }

    private <T> Uni<T> guarded(Uni<T> call) {
        return guarded.redisOperations(() -> call)
                .onFailure()
                .transform(failure -> new DependencyUnavailableException(GuardedCalls.REDIS_OPERATIONS, failure));
    }

    private String key(UUID id) {
        return config.keyPrefix() + id;
    }

    private String write(OperationState state) {
        try {
            return json.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an operation state", e);
        }
    }

    private OperationState read(String value) {
        try {
            return PLAIN.readValue(value, OperationState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable operation state", e);
        }
    }
}
