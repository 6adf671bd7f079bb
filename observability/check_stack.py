#!/usr/bin/env python3
"""The checks of observability/check.sh, which runs this file from observability/ (see there for what it checks).

Which metrics the queries read is checked in Java, once: DashboardQueriesTest (every query names a metric) and
ObservabilityQueriesTest (each one is exposed by the running system), both in api-service.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

JS_YAML = "4.1.0"
REPO = os.path.abspath("..")
# The services docs/design.md section 7 asks of the stack, the UIs it publishes, the variables the services are given.
EXPECTED_SERVICES = {"api-service", "write-worker", "postgres", "redis", "rabbitmq", "postgres-exporter",
                     "redis-exporter", "prometheus", "grafana", "jaeger", "otel-collector"}
EXPECTED_PORTS = {"grafana": 3000, "prometheus": 9090, "jaeger": 16686, "api-service": 8080}
SERVICE_CONFIG = {"api-service": "api-service/src/main/resources/application.properties",
                  "write-worker": "write-worker/src/main/resources/application.properties"}
SERVICE_ENV = {"DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME", "REDIS_HOST", "REDIS_PORT",
               "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USER", "RABBITMQ_PASSWORD", "OTEL_EXPORTER_OTLP_ENDPOINT"}

failures, warnings, skipped = [], [], []


def ok(msg):
    print(f"ok    {msg}")


def fail(msg):
    failures.append(msg)
    print(f"FAIL  {msg}")


def warn(msg):
    warnings.append(msg)
    print(f"warn  {msg}")


def skip(msg):
    skipped.append(msg)
    print(f"skip  {msg}")


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f"duplicate keys {dups}")
    return dict(pairs)


def yaml_parser():
    if os.environ.get("CHECK_YAML_PARSER") != "js-yaml":
        try:
            import yaml

            class StrictLoader(yaml.SafeLoader):
                pass

            def mapping(loader, node, deep=False):
                loader.flatten_mapping(node)
                return no_duplicates(loader.construct_pairs(node, deep=deep))

            StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)

            def load(path):
                with open(path) as f:
                    return yaml.load(f, Loader=StrictLoader)

            return f"PyYAML {yaml.__version__}", load
        except ImportError:
            pass
    if not shutil.which("npx"):
        sys.exit("FAIL  no YAML parser: python3 has no PyYAML and npx (Node.js) is missing")

    def load(path):
        run = subprocess.run(["npx", "--yes", f"js-yaml@{JS_YAML}", path], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL)
        if run.returncode:
            lines = [line for line in run.stderr.splitlines() if line.strip()]
            raise ValueError(lines[0] if lines else f"js-yaml exited {run.returncode}")
        return json.loads(run.stdout)

    return f"js-yaml {JS_YAML} (npm)", load


def files(*patterns):
    found = set()
    for pattern in patterns:
        found.update(glob.glob(pattern, recursive=True))
    return sorted(p for p in found if "node_modules" not in p.split(os.sep))


def grafana_to_promql(expr):
    """Grafana's interval variables become plain durations so that promtool can parse the query."""
    return re.sub(r"\$__(rate_interval|interval|range)|\$\{__(rate_interval|interval|range)\}", "5m", expr)


def dashboard_panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # collapsed rows keep their panels inside


def host_of(url):
    m = re.match(r"^(?:[a-z]+://)?([^/:]+)", url)
    return m.group(1) if m else ""


def service_ports(service):
    published = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            published.add(int(port.get("published", 0) or 0))
        else:
            parts = str(port).split("/")[0].split(":")
            if len(parts) >= 2:
                published.add(int(parts[-2]))
    return published


def bind_mounts(service):
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts.append((volume.get("type"), volume.get("source", ""), volume.get("target", "")))
        else:
            parts = str(volume).split(":")
            source, target = (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
            kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            mounts.append((kind, source, target))
    return mounts


def main():
    if sys.argv[1:]:
        sys.exit(f"usage: {sys.argv[0]}")

    parser_name, load_yaml = yaml_parser()
    print(f"YAML parser: {parser_name}")

    # 1. Every YAML and JSON file parses.
    docs = {}
    for path in files("**/*.yml", "**/*.yaml"):
        try:
            docs[path] = load_yaml(path)
            ok(f"YAML parses: {path}")
        except Exception as e:  # noqa: BLE001 - any parser error is a failure of that file
            fail(f"YAML does not parse: {path}: {' '.join(str(e).split())}")
    for path in files("**/*.json"):
        try:
            with open(path) as f:
                docs[path] = json.load(f, object_pairs_hook=no_duplicates)
            ok(f"JSON parses: {path}")
        except Exception as e:  # noqa: BLE001
            fail(f"JSON does not parse: {path}: {e}")

    # 2. Grafana provisioning: the datasources the dashboards use.
    datasources = docs.get("grafana/provisioning/datasources/prometheus.yml") or {}
    ds_by_uid = {d.get("uid"): d for d in datasources.get("datasources", []) if isinstance(d, dict)}
    for uid, kind, url in (("prometheus", "prometheus", "http://prometheus:9090"),
                           ("jaeger", "jaeger", "http://jaeger:16686")):
        d = ds_by_uid.get(uid)
        if d and d.get("type") == kind and d.get("url") == url:
            ok(f"datasource uid {uid}: {kind} at {url}")
        else:
            fail(f"grafana/provisioning/datasources/prometheus.yml: no {kind} datasource with uid {uid} at {url}")

    # 3. Dashboards: ids, datasource and a parseable query on every panel.
    promql = []
    dashboards = files("grafana/dashboards/*.json")
    if not dashboards:
        fail("no dashboards in grafana/dashboards/")
    uids = {}
    for path in dashboards:
        dashboard = docs.get(path)
        if not isinstance(dashboard, dict):
            continue
        problems = []
        for key in ("uid", "title", "panels", "schemaVersion"):
            if not dashboard.get(key):
                problems.append(f"no {key}")
        if dashboard.get("uid") in uids:
            problems.append(f"uid {dashboard.get('uid')} also in {uids[dashboard.get('uid')]}")
        uids[dashboard.get("uid")] = path
        ids, count = set(), 0
        for panel in dashboard_panels(dashboard):
            name = f"panel {panel.get('id')} '{panel.get('title')}'"
            if panel.get("id") in ids:
                problems.append(f"{name}: duplicate id")
            ids.add(panel.get("id"))
            if "gridPos" not in panel:
                problems.append(f"{name}: no gridPos")
            if panel.get("type") == "row":
                continue
            count += 1
            uid = (panel.get("datasource") or {}).get("uid", "")
            if not uid or (uid not in ds_by_uid and not uid.startswith("$")):
                problems.append(f"{name}: datasource {uid or 'missing'} is not a provisioned uid")
            targets = panel.get("targets") or []
            if not targets:
                problems.append(f"{name}: no targets")
            for target in targets:
                expr = target.get("expr")
                if not isinstance(expr, str) or not expr.strip():
                    problems.append(f"{name}: target {target.get('refId')} has no expr")
                    continue
                target_uid = (target.get("datasource") or {}).get("uid", uid)
                if uid and target_uid != uid and not target_uid.startswith("$"):
                    problems.append(f"{name}: target {target.get('refId')} uses datasource {target_uid}")
                promql.append((f"{path} {name} {target.get('refId')}", expr))
        for variable in dashboard.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                uid = (variable.get("datasource") or {}).get("uid", "")
                if uid not in ds_by_uid:
                    problems.append(f"variable {variable.get('name')}: datasource {uid or 'missing'} not provisioned")
        if problems:
            for problem in problems:
                fail(f"{path}: {problem}")
        else:
            ok(f"dashboard {path}: {count} panels, each with a provisioned datasource and a query")

    # 4. The queries are valid PromQL (promtool parses them as recording rules).
    promtool = shutil.which("promtool")
    if not promtool:
        skip("PromQL syntax of the dashboard queries (promtool is not installed)")
    elif promql:
        rules = {"groups": [{"name": "dashboard-queries", "rules": [
            {"record": f"dashboard:query_{i}", "expr": grafana_to_promql(expr)} for i, (_, expr) in enumerate(promql)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            json.dump(rules, f)  # JSON is YAML
        run = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
        os.unlink(f.name)
        if run.returncode == 0:
            ok(f"promtool parses all {len(promql)} dashboard queries")
        else:
            output = (run.stdout + run.stderr).strip()
            for i, (where, _) in enumerate(promql):
                output = output.replace(f"dashboard:query_{i}", where)
            fail(f"promtool rejects dashboard queries:\n{output}")

    # 5. Grafana's dashboard provider reads the directory compose mounts.
    compose = docs.get("compose.yaml")
    services = (compose or {}).get("services") or {}
    provider = (docs.get("grafana/provisioning/dashboards/dashboards.yml") or {}).get("providers") or [{}]
    provider_path = ((provider[0] or {}).get("options") or {}).get("path")
    grafana_targets = {target: source for kind, source, target in bind_mounts(services.get("grafana", {}))
                       if kind == "bind"}
    if provider_path and os.path.normpath(grafana_targets.get(provider_path, "")) == "grafana/dashboards":
        ok(f"dashboard provider path {provider_path} is where compose mounts grafana/dashboards")
    else:
        fail(f"dashboard provider path {provider_path} is not a grafana mount of ./grafana/dashboards")
    for directory in ("datasources", "dashboards"):
        target = f"/etc/grafana/provisioning/{directory}"
        if os.path.normpath(grafana_targets.get(target, "")) == f"grafana/provisioning/{directory}":
            ok(f"compose mounts grafana/provisioning/{directory} at {target}")
        else:
            fail(f"compose does not mount grafana/provisioning/{directory} at {target}")

    # 6. compose.yaml: services, pinned images, mounts, dependencies, ports, the services' variables.
    if not services:
        fail("compose.yaml has no services")
    missing = EXPECTED_SERVICES - set(services)
    if missing:
        fail(f"compose.yaml lacks services {sorted(missing)}")
    else:
        ok(f"compose.yaml has the {len(EXPECTED_SERVICES)} expected services")
    declared_volumes = set((compose or {}).get("volumes") or {})
    for name, service in services.items():
        image = service.get("image", "")
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
        if not image and "build" not in service:
            fail(f"compose service {name}: no image")
        elif not tag or (tag == "latest" and not image.startswith("resilient-tasks/")):
            fail(f"compose service {name}: image {image} has no pinned tag")
        for kind, source, target in bind_mounts(service):
            if kind == "bind":
                if os.path.exists(os.path.expanduser(source)):
                    ok(f"compose service {name}: mounted {source} exists")
                else:
                    fail(f"compose service {name}: mounted {source} (at {target}) does not exist")
            elif source and source not in declared_volumes:
                fail(f"compose service {name}: volume {source} is not declared under volumes")
        build = service.get("build")
        if build is not None:
            build = build if isinstance(build, dict) else {"context": build}
            context = build.get("context", ".")
            dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))  # relative to the context
            if os.path.isdir(context) and os.path.isfile(dockerfile):
                ok(f"compose service {name}: builds {os.path.normpath(dockerfile)} in {os.path.normpath(context)}")
            else:
                fail(f"compose service {name}: build context {context} or its dockerfile {dockerfile} does not exist")
        for env_file in service.get("env_file", []) if isinstance(service.get("env_file"), list) else []:
            if not os.path.exists(env_file if isinstance(env_file, str) else env_file.get("path", "")):
                fail(f"compose service {name}: env_file {env_file} does not exist")
        depends = service.get("depends_on") or {}
        for dependency, condition in (depends.items() if isinstance(depends, dict) else
                                      ((d, {}) for d in depends)):
            if dependency not in services:
                fail(f"compose service {name}: depends on unknown service {dependency}")
            elif (condition or {}).get("condition") == "service_healthy" and \
                    "healthcheck" not in services[dependency]:
                fail(f"compose service {name}: waits for {dependency} to be healthy, which has no healthcheck")
    for name, port in EXPECTED_PORTS.items():
        if port in service_ports(services.get(name, {})):
            ok(f"compose publishes {name} on {port}")
        else:
            fail(f"compose does not publish {name} on {port}")
    prometheus_mounts = {target: source for _, source, target in bind_mounts(services.get("prometheus", {}))}
    for source in ("./prometheus/prometheus.yml", "./prometheus/rules"):
        if source in prometheus_mounts.values():
            ok(f"compose mounts {source} into prometheus")
        else:
            fail(f"compose does not mount {source} into prometheus")
    for name, properties in SERVICE_CONFIG.items():
        env = (services.get(name) or {}).get("environment") or {}
        env = env if isinstance(env, dict) else dict(e.split("=", 1) for e in env)
        try:
            with open(os.path.join(REPO, properties)) as f:
                read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", f.read()))
        except OSError as e:
            fail(f"cannot read {properties}: {e}")
            continue
        unread = sorted(set(env) - read)
        unset = sorted(SERVICE_ENV - set(env))
        if unread:
            fail(f"compose service {name} sets {unread}, which {properties} does not read")
        if unset:
            fail(f"compose service {name} does not set {unset}")
        if not unread and not unset:
            ok(f"compose service {name}: every variable it sets is read by {properties}")

    # 7. Host names in the configuration are compose services.
    otel = docs.get("otel-collector/config.yaml") or {}
    hosts = {"grafana datasource": [d.get("url", "") for d in ds_by_uid.values()],
             "otel-collector exporter": [e.get("endpoint", "") for e in (otel.get("exporters") or {}).values()
                                         if isinstance(e, dict)]}
    for name in ("api-service", "write-worker"):
        hosts[f"{name} OTLP endpoint"] = [str(((services.get(name) or {}).get("environment") or {})
                                              .get("OTEL_EXPORTER_OTLP_ENDPOINT", ""))]
    for where, urls in hosts.items():
        for url in urls:
            if host_of(url) in services:
                ok(f"{where} {url} is a compose service")
            else:
                fail(f"{where} {url}: {host_of(url) or 'no host'} is not a compose service")

    # 8. The collector: a complete traces pipeline with the tail-sampling policy.
    if otel:
        pipeline = ((otel.get("service") or {}).get("pipelines") or {}).get("traces") or {}
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                if component not in (otel.get(section) or {}):
                    fail(f"otel-collector/config.yaml: pipeline uses undefined {section[:-1]} {component}")
        processors = pipeline.get("processors", [])
        if processors[:1] != ["memory_limiter"] or "tail_sampling" not in processors or "batch" not in processors:
            fail(f"otel-collector/config.yaml: traces processors {processors}: want memory_limiter first, then "
                 "tail_sampling and batch")
        protocols = ((otel.get("receivers") or {}).get("otlp") or {}).get("protocols") or {}
        if [str((protocols.get(p) or {}).get("endpoint", "")).rsplit(":", 1)[-1] for p in ("grpc", "http")] \
                != ["4317", "4318"]:
            fail("otel-collector/config.yaml: the OTLP receiver must listen on 4317 (grpc) and 4318 (http)")
        policies = ((otel.get("processors") or {}).get("tail_sampling") or {}).get("policies") or []
        kinds = {(p.get("type"), json.dumps(p.get(p.get("type")), sort_keys=True)) for p in policies}
        want = {"status ERROR": any(k == "status_code" and "ERROR" in v for k, v in kinds),
                "http.response.status_code >= 500": any(
                    p.get("type") == "numeric_attribute" and p["numeric_attribute"].get("key")
                    == "http.response.status_code" and p["numeric_attribute"].get("min_value") == 500
                    for p in policies),
                "http.status_code >= 500": any(
                    p.get("type") == "numeric_attribute" and p["numeric_attribute"].get("key") == "http.status_code"
                    and p["numeric_attribute"].get("min_value") == 500 for p in policies),
                "a probabilistic share": any(k == "probabilistic" for k, _ in kinds)}
        absent = [name for name, present in want.items() if not present]
        if absent:
            fail(f"otel-collector/config.yaml: tail_sampling lacks policies for {absent}")
        else:
            ok("otel-collector/config.yaml: pipeline complete; tail sampling keeps errors, HTTP >= 500 and a share")
        command = " ".join(map(str, (services.get("otel-collector") or {}).get("command") or []))
        mounted = {target for _, source, target in bind_mounts(services.get("otel-collector", {}))
                   if os.path.normpath(source) == "otel-collector/config.yaml"}
        if not any(f"--config={target}" in command for target in mounted):
            fail("compose: otel-collector does not start with the mounted otel-collector/config.yaml")

    # 9. Prometheus: promtool checks each configuration and the rule files it names.
    config = "prometheus/prometheus.yml"
    if not os.path.exists(config):
        fail(f"{config} is missing (compose mounts it), so promtool check config could not run")
    for path in files("prometheus/prometheus*.yml"):
        if not promtool:
            skip(f"promtool check config {path} (promtool is not installed)")
            continue
        run = subprocess.run([promtool, "check", "config", path], capture_output=True, text=True)
        if run.returncode == 0:
            ok(f"promtool check config {path}")
        else:
            fail(f"promtool check config {path}:\n{(run.stdout + run.stderr).strip()}")
    if os.path.exists(config):
        prometheus = docs.get(config) or {}
        scrape_interval = (prometheus.get("global") or {}).get("scrape_interval")
        time_interval = ((ds_by_uid.get("prometheus") or {}).get("jsonData") or {}).get("timeInterval")
        if scrape_interval != time_interval:
            warn(f"{config} scrapes every {scrape_interval}, the Grafana datasource assumes {time_interval}")
        for job in prometheus.get("scrape_configs") or []:
            for static in job.get("static_configs") or []:
                for target in static.get("targets") or []:
                    if host_of(target) not in services:
                        warn(f"{config}: job {job.get('job_name')} scrapes {target}, not a compose service")

    skip("docker compose config, image pulls, container start-up and healthchecks, Grafana rendering, the collector "
         "loading its config: they need a Docker engine and the compose plugin")
    print()
    print(f"{len(failures)} failed, {len(warnings)} warnings, {len(skipped)} not checked here")
    return 1 if failures else 0


sys.exit(main())
