package dev.resilient.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.resilient.testsupport.Env;
import dev.resilient.testsupport.FaultProxy;

/**
 * Puts a {@link FaultProxy} between api-service and each of PostgreSQL, Redis and RabbitMQ, so a test can make any
 * of them refuse, hang or slow down while the service runs. Flyway migrates directly (start-up needs the schema; the
 * database itself comes from ApiTestDatabase); the service's reactive traffic goes through the proxies. Breakers are configured to trip and recover quickly, and the
 * cache and idempotency keys get a prefix of their own.
 */
public class ProxiedDependencies implements QuarkusTestResourceLifecycleManager {

    /** The fallback cache's key prefix of these tests, which a worker started for them must share. */
    public static final String CACHE_PREFIX = "tasks-test-proxied:cache:";

    /** The idempotency records' key prefix of these tests. */
    public static final String IDEMPOTENCY_PREFIX = "tasks-test-proxied:idempotency:";

    /** The key that names what Redis holds (shared-contracts RedisIncarnation), of these tests. */
    public static final String INCARNATION_KEY = "tasks-test-proxied:incarnation";

    /** Init argument: the dependencies (postgres, redis, rabbitmq; comma-separated) refused from before start-up. */
    public static final String REFUSE_AT_START = "refuse-at-start";

    private static final String RABBITMQ_PORT = "rabbitmq-port";

    private static FaultProxy postgres;
    private static FaultProxy redis;
    private static FaultProxy rabbitmq;
    private String refuseAtStart = "";

    public static FaultProxy postgres() {
        return postgres;
    }

    public static FaultProxy redis() {
        return redis;
    }

    public static FaultProxy rabbitmq() {
        return rabbitmq;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        refuseAtStart = initArgs.getOrDefault(REFUSE_AT_START, "");
    }

    @Override
    public Map<String, String> start() {
        var config = new HashMap<String, String>();
        postgres = FaultProxy.start(Env.get("DB_HOST", "127.0.0.1"), Integer.parseInt(Env.get("DB_PORT", "5432")));
        redis = FaultProxy.start(Env.get("REDIS_HOST", "127.0.0.1"), Integer.parseInt(Env.get("REDIS_PORT", "6379")));
        // The %test form too: a profile-specific value in application.properties would win over the plain one.
        var proxiedUrl = "postgresql://127.0.0.1:" + postgres.port() + "/tasks_test_api";
        config.put("quarkus.datasource.reactive.url", proxiedUrl);
        config.put("%test.quarkus.datasource.reactive.url", proxiedUrl);
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redis.port());
        rabbitmq = FaultProxy.start(
                Env.get("RABBITMQ_HOST", "127.0.0.1"), Integer.parseInt(Env.get("RABBITMQ_PORT", "5672")));
        // The RabbitMQ connector does not see this setting when it comes from a test resource's or profile's config
        // (it still connects to 5672), but it does see a system property; cleared again in stop().
        System.setProperty(RABBITMQ_PORT, String.valueOf(rabbitmq.port()));
        for (var name : refuseAtStart.split(",")) {
            switch (name.strip()) {
                case "postgres" -> postgres.refuse();
                case "redis" -> redis.refuse();
                case "rabbitmq" -> rabbitmq.refuse();
                case "" -> {}
                default -> throw new IllegalArgumentException("Unknown dependency " + name);
            }
        }
        config.put("tasks.cache.key-prefix", CACHE_PREFIX);
        config.put("%test.tasks.cache.key-prefix", CACHE_PREFIX); // application.properties has a %test value too
        config.put("tasks.idempotency.key-prefix", IDEMPOTENCY_PREFIX);
        config.put("tasks.redis.incarnation-key", INCARNATION_KEY);
        config.put("%test.tasks.redis.incarnation-key", INCARNATION_KEY);
        for (var method : new String[] {
            "postgresRead", "postgresWrite", "redisCache", "redisIdempotency", "redisOperations", "rabbitPublish"
        }) {
            var prefix = "quarkus.fault-tolerance.\"dev.resilient.common.resilience.GuardedCalls/" + method + "\".";
            config.put(prefix + "circuit-breaker.request-volume-threshold", "4");
            config.put(prefix + "circuit-breaker.delay", "1");
            config.put(prefix + "circuit-breaker.success-threshold", "1");
        }
        return config;
    }

    @Override
    public void stop() {
        System.clearProperty(RABBITMQ_PORT);
        for (var proxy : new FaultProxy[] {postgres, redis, rabbitmq}) {
            if (proxy != null) {
                proxy.close();
            }
        }
    }
}
