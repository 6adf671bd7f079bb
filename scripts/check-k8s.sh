#!/usr/bin/env bash
# scripts/check-k8s.sh - check the Kubernetes manifests the build generates (quarkus-kubernetes), without a cluster.
# Called by `make k8s` (after `make build`) and `make test` (after `mvn verify`).
#
# For api-service and write-worker, target/kubernetes/kubernetes.yml must hold:
#   - a Deployment with at least 2 replicas of image [docker.io/]resilient-tasks/<module>:<version>, its container ports
#     the module's quarkus.http.port and quarkus.management.port, and liveness, readiness and startup probes on
#     /q/health/live, /ready, /started on the management port;
#   - no init container or Job (a pod must start while PostgreSQL is down: no wait for a migration Job);
#   - resource requests (cpu, memory) and a memory limit no smaller than the request;
#   - every variable the service needs from the ConfigMap and Secret of src/main/kubernetes/resilient-tasks-config.yml
#     (envFrom), passwords from the Secret only;
#   - a Service onto that port, a ServiceMonitor scraping /q/metrics, and a PodDisruptionBudget that selects the
#     Deployment's pods and leaves one replica free to be evicted; api-service also sets QUARKUS_SHUTDOWN_DELAY and
#     rolls out with no pod unavailable;
#   - pod anti-affinity on the node for its own pods, time to stop gracefully, and for api-service a
#     HorizontalPodAutoscaler on CPU.
# src/main/kubernetes/redis.yml (the Redis the guarantees assume) must run one StatefulSet whose data survives a
# restart (appendonly yes, on a volumeClaimTemplate) and that refuses writes when full (maxmemory, noeviction), behind
# a Service named redis, the host the ConfigMap names.
# Output: one "ok" or "FAIL" line per check; exit status 1 on any failure. YAML is read with PyYAML when python3 has
# it, otherwise the kubernetes.json the build writes next to it (the same resources) is read instead, and the config
# file with a line parser for its flat layout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v python3 >/dev/null || { echo "FAIL python3 is needed to run the checks" >&2; exit 1; }

exec python3 - "$@" <<'PY'
import json
import os
import re
import sys

MODULES = ("api-service", "write-worker")
CONFIG = "src/main/kubernetes/resilient-tasks-config.yml"
REDIS = "src/main/kubernetes/redis.yml"
# What each service must be given in a cluster: the defaults (127.0.0.1, guest) point at nothing there.
REQUIRED_ENV = {"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "REDIS_HOST", "REDIS_PORT",
                "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USER", "RABBITMQ_PASSWORD", "OTEL_EXPORTER_OTLP_ENDPOINT"}
SECRETS = {"DB_PASSWORD", "RABBITMQ_PASSWORD"}
# Set on the Deployment itself: the API reports not-ready this long before it stops taking requests.
DEPLOYMENT_ENV = {"api-service": {"QUARKUS_SHUTDOWN_DELAY"}}
# Scaled on CPU by a HorizontalPodAutoscaler (the worker's count is fixed: see its application.properties).
AUTOSCALED = {"api-service"}
# Serving capacity never drops during a rollout.
ZERO_UNAVAILABLE = {"api-service"}
PROBES = {"livenessProbe": "/q/health/live", "readinessProbe": "/q/health/ready", "startupProbe": "/q/health/started"}

failures = []


def ok(msg):
    print(f"ok    {msg}")


def fail(msg):
    failures.append(msg)
    print(f"FAIL  {msg}")


def check(condition, good, bad):
    ok(good) if condition else fail(bad)


def load_all(path):
    try:
        import yaml
        with open(path) as f:
            return [doc for doc in yaml.safe_load_all(f) if doc]
    except ImportError:
        if not path.endswith("/target/kubernetes/kubernetes.yml"):
            return load_flat(path)
        with open(re.sub(r"\.yml$", ".json", path)) as f:
            text = f.read()
        # kubernetes.json: an array of the resources (or a List, or the resources one after the other).
        decoder, docs, i = json.JSONDecoder(), [], 0
        while i < len(text):
            if text[i].isspace():
                i += 1
                continue
            doc, i = decoder.raw_decode(text, i)
            if isinstance(doc, list):
                docs.extend(doc)
            else:
                docs.extend(doc.get("items", []) if doc.get("kind") == "List" else [doc])
        return docs


def load_flat(path):
    """Without PyYAML: our own config file, whose documents are kind, metadata.name and flat data/stringData maps."""
    docs = []
    for text in re.split(r"(?m)^---\s*$", open(path).read()):
        doc, section = {}, None
        for line in text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, _, value = line.strip().partition(":")
            value = value.strip().strip('"')
            if not line.startswith(" "):
                section = key
                if value:
                    doc[key] = value
                else:
                    doc[key] = {}
            elif line.startswith("  ") and not line.startswith("   ") and isinstance(doc.get(section), dict):
                doc[section][key] = value
        if doc:
            docs.append(doc)
    return docs


def properties(module):
    values = {}
    with open(f"{module}/src/main/resources/application.properties") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


def project_version():
    with open("pom.xml") as f:
        return re.search(r"<artifactId>resilient-tasks-parent</artifactId>\s*<version>([^<]+)</version>",
                         f.read()).group(1)


def main():
    config = {doc["kind"]: doc for doc in load_all(CONFIG)}
    config_map = config.get("ConfigMap", {})
    secret = config.get("Secret", {})
    from_config_map = set((config_map.get("data") or {}).keys())
    from_secret = set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())
    version = project_version()

    for module in MODULES:
        manifest = f"{module}/target/kubernetes/kubernetes.yml"
        if not os.path.exists(manifest):
            fail(f"{manifest} is missing: run make build (or mvn package) first")
            continue
        resources = {}
        for doc in load_all(manifest):
            resources.setdefault(doc["kind"], []).append(doc)
        props = properties(module)
        port = int(props["quarkus.http.port"])
        # health and metrics: the management port, e.g. ${MANAGEMENT_PORT:9000}
        management = int(re.search(r"(\d+)\}?$", props["quarkus.management.port"]).group(1))

        deployments = [d for d in resources.get("Deployment", []) if d["metadata"]["name"] == module]
        if len(deployments) != 1:
            fail(f"{module}: expected one Deployment named {module}, found {len(deployments)}")
            continue
        deployment = deployments[0]
        spec = deployment["spec"]
        pod_labels = spec["template"]["metadata"]["labels"]
        container = spec["template"]["spec"]["containers"][0]
        replicas = spec.get("replicas", 1)
        check(replicas >= 2, f"{module}: {replicas} replicas", f"{module}: {replicas} replica(s), expected 2 or more")
        rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        unavailable = rolling.get("maxUnavailable", "25%")
        # An int, or a string that is a percentage: Kubernetes rejects "0" as a string.
        check(isinstance(unavailable, int) or str(unavailable).endswith("%"),
              f"{module}: rolling update maxUnavailable {unavailable!r}",
              f"{module}: maxUnavailable {unavailable!r} is neither an int nor a percentage")
        if module in ZERO_UNAVAILABLE:
            check(unavailable in (0, "0%"), f"{module}: no pod unavailable during a rolling update",
                  f"{module}: maxUnavailable {unavailable!r}, expected 0%")
        image = f"resilient-tasks/{module}:{version}"  # what the docker build of docs/operations.md tags (docker.io implied)
        check(container.get("image") in (image, f"docker.io/{image}"), f"{module}: image {container.get('image')}",
              f"{module}: image {container.get('image')}, expected {image}")
        ports = [p.get("containerPort") for p in container.get("ports", [])]
        check(sorted(ports) == sorted([port, management]),
              f"{module}: container ports {port} (quarkus.http.port) and {management} (management)",
              f"{module}: container ports {ports}, expected [{port}, {management}]")

        for probe, path in PROBES.items():
            action = (container.get(probe) or {}).get("httpGet") or {}
            check(action.get("path") == path and action.get("port") == management,
                  f"{module}: {probe} GET {path} on {management}",
                  f"{module}: {probe} is {action or 'missing'}, expected GET {path} on port {management}")

        inits = [c.get("name") for c in spec["template"]["spec"].get("initContainers") or []]
        check(not inits and not resources.get("Job"), f"{module}: no init container or Job to wait for",
              f"{module}: init containers {inits} / Jobs: a pod must start while PostgreSQL is down")

        res = container.get("resources") or {}
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        check("cpu" in requests and "memory" in requests and "memory" in limits,
              f"{module}: requests {requests}, limits {limits}",
              f"{module}: resources {res}: expected cpu and memory requests and a memory limit")
        if "memory" in requests and "memory" in limits:
            check(mebibytes(requests["memory"]) <= mebibytes(limits["memory"]),
                  f"{module}: memory request within the limit",
                  f"{module}: memory request {requests['memory']} above the limit {limits['memory']}")

        env_from = container.get("envFrom") or []
        refs = {("configMapRef" in e and e["configMapRef"]["name"]) or ("secretRef" in e and e["secretRef"]["name"])
                for e in env_from}
        for name in (config_map.get("metadata", {}).get("name"), secret.get("metadata", {}).get("name")):
            check(name in refs, f"{module}: environment from {name}",
                  f"{module}: no envFrom {name} (has {sorted(r for r in refs if r)})")
        read = {name for value in props.values() for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*)", value)}
        missing = sorted((REQUIRED_ENV & read) - from_config_map - from_secret)
        check(not missing, f"{module}: every required variable it reads is in {CONFIG}",
              f"{module}: {missing} are read but neither in the ConfigMap nor the Secret of {CONFIG}")
        own = {e["name"] for e in container.get("env") or []}
        for name in sorted(DEPLOYMENT_ENV.get(module, set())):
            check(name in own, f"{module}: sets {name}", f"{module}: does not set {name} (has {sorted(own)})")
        exposed = sorted(SECRETS & from_config_map)
        check(not exposed, f"{module}: passwords only in the Secret",
              f"{module}: {exposed} are in the ConfigMap: they belong in the Secret")

        services = [s for s in resources.get("Service", []) if s["metadata"]["name"] == module]
        targets = [p.get("targetPort") for s in services for p in s["spec"].get("ports", [])]
        check(targets == [port], f"{module}: Service onto port {port}",
              f"{module}: Service target ports {targets}, expected [{port}]")
        monitors = resources.get("ServiceMonitor", [])
        check(any(e.get("path") == "/q/metrics" for m in monitors for e in m["spec"].get("endpoints", [])),
              f"{module}: ServiceMonitor scrapes /q/metrics", f"{module}: no ServiceMonitor scraping /q/metrics")

        budgets = resources.get("PodDisruptionBudget", [])
        selecting = [b for b in budgets
                     if all(pod_labels.get(k) == v for k, v in b["spec"]["selector"]["matchLabels"].items())]
        if not selecting:
            fail(f"{module}: no PodDisruptionBudget selects its pods ({pod_labels})")
        else:
            budget = selecting[0]["spec"]
            allowed = budget.get("minAvailable", 0)
            check(isinstance(allowed, int) and 0 < allowed < replicas,
                  f"{module}: PodDisruptionBudget keeps {allowed} of {replicas} available",
                  f"{module}: PodDisruptionBudget {budget}: minAvailable must be at least 1 and below {replicas}")

        anti = ((spec["template"]["spec"].get("affinity") or {}).get("podAntiAffinity") or {})
        terms = [t.get("podAffinityTerm", t) for key in ("preferredDuringSchedulingIgnoredDuringExecution",
                                                         "requiredDuringSchedulingIgnoredDuringExecution")
                 for t in anti.get(key) or []]
        check(any(t.get("topologyKey") == "kubernetes.io/hostname"
                  and all(pod_labels.get(k) == v for k, v in t["labelSelector"]["matchLabels"].items())
                  for t in terms),
              f"{module}: pod anti-affinity spreads its replicas over nodes",
              f"{module}: no pod anti-affinity on kubernetes.io/hostname for its own pods ({anti})")
        grace = spec["template"]["spec"].get("terminationGracePeriodSeconds", 30)
        check(grace >= 20, f"{module}: {grace} s to stop gracefully",
              f"{module}: terminationGracePeriodSeconds {grace}: below the shutdown delay plus its timeout")
        if module in AUTOSCALED:
            scalers = [h["spec"] for h in resources.get("HorizontalPodAutoscaler", [])
                       if h["spec"]["scaleTargetRef"].get("name") == module]
            cpu = [m for h in scalers for m in h.get("metrics") or []
                   if (m.get("resource") or {}).get("name") == "cpu"]
            check(len(scalers) == 1 and cpu and scalers[0]["minReplicas"] >= 2
                  and scalers[0]["maxReplicas"] >= scalers[0]["minReplicas"],
                  f"{module}: autoscaled on CPU, {scalers[0]['minReplicas'] if scalers else '?'} to "
                  f"{scalers[0]['maxReplicas'] if scalers else '?'} pods",
                  f"{module}: expected one HorizontalPodAutoscaler on CPU with at least 2 pods, found {scalers}")

    check_redis()
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failed")
    return 1 if failures else 0


def check_redis():
    """The Redis manifest, read as text: its settings are arguments, which need no YAML parser to find."""
    text = open(REDIS).read()
    args = " ".join(re.findall(r'"([^"]*)"', " ".join(re.findall(r"args:\s*\[([^\]]*)\]", text, re.S))))
    check(re.search(r"(?m)^kind: StatefulSet$", text) and "volumeClaimTemplates:" in text,
          "redis: a StatefulSet on a persistent volume", "redis: no StatefulSet with a volumeClaimTemplate")
    check("--appendonly yes" in args, "redis: persistence on (appendonly yes)",
          f"redis: appendonly is not yes in its arguments ({args})")
    check("--maxmemory-policy noeviction" in args and re.search(r"--maxmemory \d+", args),
          "redis: maxmemory with noeviction", f"redis: needs --maxmemory and --maxmemory-policy noeviction ({args})")
    check(re.search(r"(?m)^kind: Service$", text) and re.search(r"(?m)^  name: redis$", text),
          "redis: Service named redis", "redis: no Service named redis (the ConfigMap's REDIS_HOST)")


def mebibytes(quantity):
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    m = re.fullmatch(r"(\d+)(Ki|Mi|Gi)?", str(quantity))
    return int(m.group(1)) * units.get(m.group(2), 1 / (1024 * 1024))


sys.exit(main())
PY
