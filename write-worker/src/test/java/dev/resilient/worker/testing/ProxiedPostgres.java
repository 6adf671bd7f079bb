package dev.resilient.worker.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.resilient.testsupport.Env;
import dev.resilient.testsupport.FaultProxy;

/** Puts the fault-injecting proxy between the worker and PostgreSQL, and makes its breaker quick to trip and probe. */
public class ProxiedPostgres implements QuarkusTestResourceLifecycleManager {

    /** Init argument: "true" makes the proxy refuse from before the worker starts. */
    public static final String REFUSE_AT_START = "refuse-at-start";

    private static FaultProxy postgres;
    private boolean refuseAtStart;

    public static FaultProxy postgres() {
        return postgres;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        refuseAtStart = Boolean.parseBoolean(initArgs.get(REFUSE_AT_START));
    }

    @Override
    public Map<String, String> start() {
        postgres = FaultProxy.start(Env.get("DB_HOST", "127.0.0.1"), Integer.parseInt(Env.get("DB_PORT", "5432")));
        if (refuseAtStart) {
            postgres.refuse();
        }
        var config = new HashMap<String, String>();
        // The %test form too: a profile-specific value in application.properties would win over the plain one.
        var url = "postgresql://127.0.0.1:" + postgres.port() + "/tasks_test_worker";
        config.put("quarkus.datasource.reactive.url", url);
        config.put("%test.quarkus.datasource.reactive.url", url);
        var breaker =
                "quarkus.fault-tolerance.\"dev.resilient.worker.resilience.WorkerGuards/postgres\".circuit-breaker.";
        config.put(breaker + "request-volume-threshold", "4");
        config.put(breaker + "delay", "1");
        return config;
    }

    @Override
    public void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }
}
