package dev.resilient.deploy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/** The Redis the guarantees assume: data that survives a restart, writes refused rather than keys evicted. */
class RedisTest {

    @ParameterizedTest
    @EnumSource(Overlay.class)
    void redisKeepsItsDataAndRefusesWritesWhenFull(Overlay overlay) {
        Findings findings = new Findings(overlay + ": Redis");
        Optional<StatefulSet> found = overlay.named(StatefulSet.class, "redis");
        if (findings.check(found.isPresent(), overlay.missing("StatefulSet", "redis"))) {
            var spec = found.get().getSpec();
            findings.check(
                    spec.getVolumeClaimTemplates() != null
                            && !spec.getVolumeClaimTemplates().isEmpty(),
                    "no volumeClaimTemplate: Redis would lose idempotency records and deferred writes on restart");
            List<String> args = Objects.requireNonNullElse(
                    spec.getTemplate().getSpec().getContainers().get(0).getArgs(), List.of());
            String joined = String.join(" ", args);
            findings.check(
                    joined.contains("--appendonly yes"),
                    "appendonly is not yes (" + joined + "): a restart loses every write since the last snapshot");
            findings.check(
                    joined.contains("--maxmemory-policy noeviction") && joined.matches(".*--maxmemory \\d+\\S* .*"),
                    "needs --maxmemory and --maxmemory-policy noeviction (" + joined + "): once full, Redis would "
                            + "evict idempotency records and the journal instead of refusing writes");
        }
        String host = overlay.all(ConfigMap.class).stream()
                .filter(c -> c.getData() != null && c.getData().containsKey("REDIS_HOST"))
                .map(c -> c.getData().get("REDIS_HOST"))
                .findFirst()
                .orElse("redis");
        findings.check(
                overlay.named(Service.class, host).isPresent(),
                "no Service named " + host + " (the ConfigMap's REDIS_HOST): the services would not find Redis");
        findings.assertNone();
    }
}
