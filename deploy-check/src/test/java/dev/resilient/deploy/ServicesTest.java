package dev.resilient.deploy;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAntiAffinity;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

/** What each service needs of its Deployment, Service, ServiceMonitor, budget and autoscaler, per overlay. */
class ServicesTest {
    // What each service must be given in a cluster: the defaults (127.0.0.1, guest) point at nothing there.
    static final Set<String> REQUIRED_ENV = Set.of(
            "DB_HOST",
            "DB_PORT",
            "DB_NAME",
            "DB_USER",
            "DB_PASSWORD",
            "REDIS_HOST",
            "REDIS_PORT",
            "REDIS_PASSWORD",
            "RABBITMQ_HOST",
            "RABBITMQ_PORT",
            "RABBITMQ_USER",
            "RABBITMQ_PASSWORD",
            "OTEL_EXPORTER_OTLP_ENDPOINT");
    // The keys of the Secret the production operator creates (the kubectl create secret command of deploy/README.md).
    static final Set<String> OPERATOR_SECRET_KEYS = Set.of("DB_PASSWORD", "RABBITMQ_PASSWORD", "REDIS_PASSWORD");
    // Read by quarkus-smallrye-jwt under these names (no ${...} in application.properties): without them api-service
    // refuses to start, since it could not verify a single token.
    static final Map<String, Set<String>> TOKEN_ENV =
            Map.of("api-service", Set.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_ISSUER"));
    static final String SECRET = "resilient-tasks-credentials";
    static final String CONFIG_MAP = "resilient-tasks-config";
    static final Map<String, String> PROBES =
            Map.of("liveness", "/q/health/live", "readiness", "/q/health/ready", "startup", "/q/health/started");
    // api-service reports not-ready this long before it stops taking requests (set on its Deployment).
    static final Map<String, Set<String>> DEPLOYMENT_ENV = Map.of("api-service", Set.of("QUARKUS_SHUTDOWN_DELAY"));
    // Scaled on CPU (the worker's count is fixed: see its application.properties) and never short of a pod while
    // rolling out.
    static final Set<String> API = Set.of("api-service");

    static Stream<Arguments> overlaysAndServices() {
        return Stream.of(Overlay.values())
                .flatMap(overlay -> Manifests.SERVICES.stream().map(service -> Arguments.of(overlay, service)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlaysAndServices")
    void deployment(Overlay overlay, String service) {
        Findings findings = new Findings(overlay + ": the Deployment of " + service);
        Optional<Deployment> found = overlay.named(Deployment.class, service);
        if (!findings.check(found.isPresent(), overlay.missing("Deployment", service) + ": nothing would run it")) {
            findings.assertNone();
            return;
        }
        Deployment deployment = found.get();
        Ports ports = Ports.of(service);
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        if (overlay.highlyAvailable) {
            findings.check(replicas >= 2, replicas + " replica(s): one node or pod failure stops " + service);
        } else {
            findings.check(replicas == 1, replicas + " replicas: the local overlay runs one of each");
        }
        var rolling = deployment.getSpec().getStrategy() == null
                ? null
                : deployment.getSpec().getStrategy().getRollingUpdate();
        IntOrString unavailable = rolling == null ? null : rolling.getMaxUnavailable();
        if (API.contains(service)) {
            findings.check(
                    unavailable != null
                            && (Integer.valueOf(0).equals(unavailable.getIntVal())
                                    || "0%".equals(unavailable.getStrVal())),
                    "rolling update maxUnavailable " + value(unavailable)
                            + ": serving capacity would drop while a new version rolls out (expected 0%)");
        }
        findings.check(
                unavailable == null
                        || unavailable.getIntVal() != null
                        || unavailable.getStrVal().endsWith("%"),
                "maxUnavailable " + value(unavailable) + " is neither a number nor a percentage: the API server "
                        + "refuses the Deployment");

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Map<String, String> podLabels =
                deployment.getSpec().getTemplate().getMetadata().getLabels();
        findings.check(pod.getContainers().size() == 1, pod.getContainers().size() + " containers, expected one");
        Container container = pod.getContainers().get(0);
        checkImage(findings, overlay, service, container);

        List<Integer> containerPorts = container.getPorts().stream()
                .map(ContainerPort::getContainerPort)
                .toList();
        if (ports.http != null) {
            findings.check(
                    portNumber(container, "http") == ports.http,
                    "no container port named http on " + ports.http + " (quarkus.http.port), has " + containerPorts);
        }
        findings.check(
                ports.management != null && portNumber(container, "management") == ports.management,
                "no container port named management on " + ports.management + " (quarkus.management.port), has "
                        + containerPorts + ": health and metrics would share the public port");
        // quarkus-kubernetes declares quarkus.http.port even when the HTTP server is off (write-worker): nothing
        // listens there, and neither the probes nor the ServiceMonitor may use it (checked below).
        Set<Integer> declared = new HashSet<>(ports.all());
        declared.add(ports.configuredHttp);
        findings.check(
                new HashSet<>(containerPorts).equals(declared),
                "container ports " + containerPorts + ", expected " + declared
                        + " (quarkus.http.port, quarkus.management.port)");
        checkProbe(findings, container, "liveness", container.getLivenessProbe(), ports);
        checkProbe(findings, container, "readiness", container.getReadinessProbe(), ports);
        checkProbe(findings, container, "startup", container.getStartupProbe(), ports);

        findings.check(
                pod.getInitContainers() == null || pod.getInitContainers().isEmpty(),
                "init containers " + pod.getInitContainers() + ": a pod must start while PostgreSQL is down, "
                        + "without waiting for a migration (the services migrate in the background)");
        findings.check(
                overlay.all(Job.class).isEmpty() && overlay.all(CronJob.class).isEmpty(),
                "a Job or CronJob is rendered: nothing may have to run before the services start");

        checkResources(findings, container);
        checkEnvironment(findings, overlay, service, container);

        Set<String> own = new TreeSet<>();
        for (EnvVar variable : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
            own.add(variable.getName());
            findings.check(
                    !variable.getName().endsWith("PASSWORD") || variable.getValue() == null,
                    variable.getName() + " is written into the Deployment: passwords belong in the Secret " + SECRET);
        }
        for (String name : DEPLOYMENT_ENV.getOrDefault(service, Set.of())) {
            findings.check(
                    own.contains(name),
                    "does not set " + name + " (has " + own + "): pods would be killed while still in the "
                            + "Service's endpoints, failing requests on every rollout");
        }

        checkAntiAffinity(findings, pod, podLabels);
        long grace = Objects.requireNonNullElse(pod.getTerminationGracePeriodSeconds(), 30L);
        findings.check(
                grace >= 20,
                "terminationGracePeriodSeconds " + grace + ": pods would be killed before the shutdown delay "
                        + "and the 10 s of requests or writes in hand are over");
        findings.assertNone();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlaysAndServices")
    void serviceAndMonitoring(Overlay overlay, String service) {
        Findings findings = new Findings(overlay + ": the Service and ServiceMonitor of " + service);
        Ports ports = Ports.of(service);
        Optional<Service> found = overlay.named(Service.class, service);
        if (findings.check(found.isPresent(), overlay.missing("Service", service) + ": its pods cannot be reached")) {
            Service kubernetesService = found.get();
            List<ServicePort> servicePorts = kubernetesService.getSpec().getPorts();
            List<String> targets = servicePorts.stream()
                    .map(port -> value(port.getTargetPort()))
                    .toList();
            if (ports.http != null) {
                findings.check(
                        targets.equals(List.of(String.valueOf(ports.http))) || targets.equals(List.of("http")),
                        "Service target ports " + targets + ", expected only " + ports.http + " (quarkus.http.port): "
                                + "the management port (health, metrics) must not be reachable through the Service");
            }
            // Without an HTTP server (write-worker) nothing calls the pods: the Service is there for the
            // ServiceMonitor to find them, so only its selector matters.
            Map<String, String> selector = kubernetesService.getSpec().getSelector();
            Map<String, String> podLabels = overlay.named(Deployment.class, service)
                    .map(d -> d.getSpec().getTemplate().getMetadata().getLabels())
                    .orElse(Map.of());
            findings.check(
                    selector != null
                            && !selector.isEmpty()
                            && podLabels.entrySet().containsAll(selector.entrySet()),
                    "Service selector " + selector + " does not select the pods " + podLabels + ": no endpoints");

            List<ServiceMonitor> monitors = overlay.all(ServiceMonitor.class).stream()
                    .filter(m -> selects(
                            m.getSpec().getSelector(),
                            kubernetesService.getMetadata().getLabels()))
                    .toList();
            findings.check(
                    monitors.size() == 1,
                    monitors.size() + " ServiceMonitors select the Service " + service + ", expected one: "
                            + (monitors.isEmpty() ? "Prometheus would not scrape it" : "it would be scraped twice"));
            for (ServiceMonitor monitor : monitors) {
                findings.check(
                        monitor.getSpec().getSelector().getMatchLabels() != null
                                && !monitor.getSpec()
                                        .getSelector()
                                        .getMatchLabels()
                                        .isEmpty(),
                        "ServiceMonitor " + monitor.getMetadata().getName() + " has an empty selector: it "
                                + "selects every Service of the namespace");
                findings.check(
                        monitor.getSpec().getEndpoints().stream()
                                .anyMatch(e -> "/q/metrics".equals(e.getPath())
                                        && ports.management != null
                                        && (String.valueOf(ports.management).equals(value(e.getTargetPort()))
                                                || "management".equals(value(e.getTargetPort())))),
                        "ServiceMonitor " + monitor.getMetadata().getName() + " does not scrape /q/metrics on the "
                                + "management port " + ports.management + ": Prometheus would get no metrics of "
                                + service + " (endpoints " + monitor.getSpec().getEndpoints() + ")");
            }
        }
        findings.assertNone();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("overlaysAndServices")
    void disruptionBudgetAndAutoscaler(Overlay overlay, String service) {
        Findings findings = new Findings(overlay + ": the PodDisruptionBudget and autoscaler of " + service);
        Optional<Deployment> deployment = overlay.named(Deployment.class, service);
        if (deployment.isEmpty()) {
            return; // deployment() says so.
        }
        Map<String, String> podLabels =
                deployment.get().getSpec().getTemplate().getMetadata().getLabels();
        int replicas = Objects.requireNonNullElse(deployment.get().getSpec().getReplicas(), 1);
        List<PodDisruptionBudget> budgets = overlay.all(PodDisruptionBudget.class).stream()
                .filter(b -> selects(b.getSpec().getSelector(), podLabels))
                .toList();
        List<HorizontalPodAutoscaler> scalers = overlay.all(HorizontalPodAutoscaler.class).stream()
                .filter(h -> service.equals(h.getSpec().getScaleTargetRef().getName()))
                .toList();
        if (overlay.highlyAvailable) {
            if (findings.check(
                    budgets.size() == 1,
                    budgets.size() + " PodDisruptionBudgets select its pods " + podLabels + ", expected one: a node "
                            + "drain could stop every pod at once")) {
                IntOrString minAvailable = budgets.get(0).getSpec().getMinAvailable();
                Integer kept = minAvailable == null ? null : minAvailable.getIntVal();
                findings.check(
                        kept != null && kept >= 1 && kept < replicas,
                        "PodDisruptionBudget minAvailable " + value(minAvailable) + " with " + replicas
                                + " replicas: it must keep at least one pod and let a drain evict another");
            }
            if (API.contains(service)) {
                boolean onCpu = scalers.size() == 1
                        && scalers.get(0).getSpec().getMetrics().stream()
                                .anyMatch(m -> m.getResource() != null
                                        && "cpu".equals(m.getResource().getName()));
                findings.check(
                        onCpu
                                && scalers.get(0).getSpec().getMinReplicas() != null
                                && scalers.get(0).getSpec().getMinReplicas() >= 2
                                && scalers.get(0).getSpec().getMaxReplicas()
                                        >= scalers.get(0).getSpec().getMinReplicas(),
                        "expected one HorizontalPodAutoscaler on CPU keeping at least 2 pods, found "
                                + scalers.stream().map(h -> h.getSpec()).toList());
            }
        } else {
            findings.check(
                    budgets.stream()
                            .allMatch(b -> b.getSpec().getMinAvailable() == null
                                    || Objects.requireNonNullElse(
                                                    b.getSpec()
                                                            .getMinAvailable()
                                                            .getIntVal(),
                                                    0)
                                            < replicas),
                    "a PodDisruptionBudget keeps all " + replicas + " pod(s): node drains would hang");
            findings.check(
                    scalers.isEmpty(),
                    "a HorizontalPodAutoscaler would override the overlay's " + replicas + " replica(s)");
        }
        if (!API.contains(service)) {
            findings.check(
                    scalers.isEmpty(),
                    "autoscaled: each worker holds 16 PostgreSQL connections, its count is fixed "
                            + "(write-worker's application.properties)");
        }
        findings.assertNone();
    }

    private static void checkImage(Findings findings, Overlay overlay, String service, Container container) {
        String image = Objects.requireNonNullElse(container.getImage(), "");
        String repository = "docker.io/resilient-tasks/" + service;
        if (overlay == Overlay.PRODUCTION) {
            String tag = image.startsWith(repository + ":") ? image.substring(repository.length() + 1) : "";
            findings.check(
                    image.startsWith(repository + ":") || image.startsWith(repository + "@sha256:"),
                    "image " + image + ", expected " + repository + " at a release");
            findings.check(
                    image.contains("@sha256:")
                            || (!tag.isEmpty() && !tag.equals("latest") && !tag.endsWith("-SNAPSHOT")),
                    "image " + image + " is a moving tag: pin a release with images: in the overlay");
        } else {
            findings.check(
                    image.equals(repository + ":" + Manifests.VERSION),
                    "image " + image + ", expected " + repository + ":" + Manifests.VERSION
                            + " (what the docker build of docs/operations.md tags)");
        }
        findings.check(
                overlay.pullPolicy.equals(container.getImagePullPolicy()),
                "imagePullPolicy " + container.getImagePullPolicy() + ", expected " + overlay.pullPolicy);
    }

    private static void checkProbe(Findings findings, Container container, String kind, Probe probe, Ports ports) {
        String path = PROBES.get(kind);
        var get = probe == null ? null : probe.getHttpGet();
        Integer port = get == null ? null : resolve(container, get.getPort());
        findings.check(
                get != null && path.equals(get.getPath()) && ports.management != null && ports.management.equals(port),
                kind + " probe is " + (get == null ? "missing" : "GET " + get.getPath() + " on " + value(get.getPort()))
                        + ", expected GET " + path + " on the management port " + ports.management
                        + (kind.equals("liveness") ? ": Kubernetes would restart healthy pods, or never dead ones" : "")
                        + (kind.equals("readiness")
                                ? ": the Service would send requests to pods that cannot answer"
                                : "")
                        + (kind.equals("startup") ? ": slow starts would be killed, or never noticed" : ""));
    }

    private static void checkResources(Findings findings, Container container) {
        var resources = container.getResources();
        Map<String, Quantity> requests =
                resources == null || resources.getRequests() == null ? Map.of() : resources.getRequests();
        Map<String, Quantity> limits =
                resources == null || resources.getLimits() == null ? Map.of() : resources.getLimits();
        findings.check(
                requests.containsKey("cpu") && requests.containsKey("memory") && limits.containsKey("memory"),
                "resources requests " + requests + " limits " + limits + ": expected cpu and memory requests (or "
                        + "the scheduler packs pods blind) and a memory limit");
        if (requests.containsKey("memory") && limits.containsKey("memory")) {
            BigDecimal request = Quantity.getAmountInBytes(requests.get("memory"));
            BigDecimal limit = Quantity.getAmountInBytes(limits.get("memory"));
            findings.check(
                    request.compareTo(limit) <= 0,
                    "memory request " + requests.get("memory") + " above the limit " + limits.get("memory")
                            + ": the API server refuses the Deployment");
        }
    }

    private static void checkEnvironment(Findings findings, Overlay overlay, String service, Container container) {
        List<EnvFromSource> envFrom = Objects.requireNonNullElse(container.getEnvFrom(), List.of());
        Set<String> configMaps = new TreeSet<>();
        Set<String> secrets = new TreeSet<>();
        for (EnvFromSource source : envFrom) {
            if (source.getConfigMapRef() != null) {
                configMaps.add(source.getConfigMapRef().getName());
            }
            if (source.getSecretRef() != null) {
                secrets.add(source.getSecretRef().getName());
            }
        }
        Set<String> fromConfigMap = new TreeSet<>();
        Set<String> fromSecret = new TreeSet<>();
        // kustomize's generators add a hash to the name and rewrite the references; the name stays its prefix.
        Optional<ConfigMap> configMap = overlay.all(ConfigMap.class).stream()
                .filter(c -> configMaps.contains(c.getMetadata().getName()))
                .filter(c -> c.getMetadata().getName().startsWith(CONFIG_MAP))
                .findFirst();
        if (findings.check(
                configMap.isPresent(),
                "no envFrom of the ConfigMap " + CONFIG_MAP + " rendered alongside (envFrom ConfigMaps " + configMaps
                        + "): the service would look for PostgreSQL, Redis and RabbitMQ on 127.0.0.1")) {
            fromConfigMap.addAll(configMap.get().getData().keySet());
            Set<String> exposed = new TreeSet<>(fromConfigMap);
            exposed.removeIf(key -> !key.endsWith("PASSWORD"));
            findings.check(
                    exposed.isEmpty(),
                    exposed + " are in the ConfigMap, readable by anyone who can read configuration: they belong "
                            + "in the Secret " + SECRET);
        }
        if (overlay.shipsSecret) {
            Optional<Secret> secret = overlay.all(Secret.class).stream()
                    .filter(s -> secrets.contains(s.getMetadata().getName()))
                    .filter(s -> s.getMetadata().getName().startsWith(SECRET))
                    .findFirst();
            if (findings.check(
                    secret.isPresent(),
                    "no envFrom of the Secret " + SECRET + " rendered alongside (envFrom Secrets " + secrets + ")")) {
                if (secret.get().getData() != null) {
                    fromSecret.addAll(secret.get().getData().keySet());
                }
                if (secret.get().getStringData() != null) {
                    fromSecret.addAll(secret.get().getStringData().keySet());
                }
            }
        } else {
            findings.check(
                    secrets.contains(SECRET),
                    "no envFrom of the Secret " + SECRET + " the operator creates (envFrom Secrets " + secrets
                            + "): the service would connect with the development passwords");
            findings.check(
                    overlay.all(Secret.class).isEmpty(),
                    "ships a Secret ("
                            + overlay.all(Secret.class).stream()
                                    .map(s -> s.getMetadata().getName())
                                    .toList()
                            + "): applying it would overwrite the operator's passwords with the repository's");
            fromSecret.addAll(OPERATOR_SECRET_KEYS);
        }
        Set<String> read = new TreeSet<>(Manifests.variablesRead(service));
        read.addAll(TOKEN_ENV.getOrDefault(service, Set.of()));
        Set<String> missing = new TreeSet<>(REQUIRED_ENV);
        missing.addAll(TOKEN_ENV.getOrDefault(service, Set.of()));
        missing.retainAll(read);
        missing.removeAll(fromConfigMap);
        missing.removeAll(fromSecret);
        if (fromConfigMap.contains("MP_JWT_VERIFY_PUBLICKEY")) {
            missing.remove("MP_JWT_VERIFY_PUBLICKEY_LOCATION"); // the key itself instead of where to fetch it
        }
        findings.check(
                missing.isEmpty(),
                missing + " are read by " + service + " but neither in the ConfigMap nor the Secret"
                        + (overlay.shipsSecret ? "" : " the operator creates (deploy/README.md lists its keys)")
                        + ": it would fall back to its development defaults");
        Set<String> passwords = new TreeSet<>(read);
        passwords.removeIf(name -> !name.endsWith("PASSWORD"));
        passwords.removeAll(fromSecret);
        findings.check(
                passwords.isEmpty(),
                passwords + " are read by " + service + " but not in the Secret: it would use its default password");
    }

    private static void checkAntiAffinity(Findings findings, PodSpec pod, Map<String, String> podLabels) {
        PodAntiAffinity anti =
                pod.getAffinity() == null ? null : pod.getAffinity().getPodAntiAffinity();
        Stream<PodAffinityTerm> terms = anti == null
                ? Stream.empty()
                : Stream.concat(
                        Objects.requireNonNullElse(
                                        anti.getPreferredDuringSchedulingIgnoredDuringExecution(),
                                        List.<WeightedPodAffinityTerm>of())
                                .stream()
                                .map(WeightedPodAffinityTerm::getPodAffinityTerm),
                        Objects.requireNonNullElse(
                                anti.getRequiredDuringSchedulingIgnoredDuringExecution(), List.<PodAffinityTerm>of())
                                .stream());
        findings.check(
                terms.anyMatch(t -> "kubernetes.io/hostname".equals(t.getTopologyKey())
                        && selects(t.getLabelSelector(), podLabels)),
                "no pod anti-affinity on kubernetes.io/hostname for its own pods: all replicas may land on one node");
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector != null
                && labels != null
                && (selector.getMatchExpressions() == null
                        || selector.getMatchExpressions().isEmpty())
                && labels.entrySet()
                        .containsAll(Objects.requireNonNullElse(selector.getMatchLabels(), Map.<String, String>of())
                                .entrySet());
    }

    private static int portNumber(Container container, String name) {
        return container.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(-1);
    }

    /** A probe's port as a number: probes may name a container port. */
    private static Integer resolve(Container container, IntOrString port) {
        if (port == null) {
            return null;
        }
        return port.getIntVal() != null ? port.getIntVal() : portNumber(container, port.getStrVal());
    }

    private static String value(IntOrString value) {
        return value == null
                ? "unset"
                : value.getIntVal() != null ? value.getIntVal().toString() : value.getStrVal();
    }

    /**
     * The ports a service listens on, from its application.properties: http is null when its HTTP server is off
     * (write-worker serves only health and metrics, on the management port).
     */
    record Ports(Integer http, Integer management, int configuredHttp) {
        private static final Pattern DEFAULT = Pattern.compile("\\$\\{[A-Z0-9_]+:(\\d+)}");

        static Ports of(String service) {
            var properties = Manifests.properties(service);
            boolean httpOn = Boolean.parseBoolean(properties.getProperty("quarkus.http.host-enabled", "true"));
            boolean managed = Boolean.parseBoolean(properties.getProperty("quarkus.management.enabled", "false"));
            int http = port(properties.getProperty("quarkus.http.port", "8080"));
            return new Ports(
                    httpOn ? http : null,
                    managed ? port(properties.getProperty("quarkus.management.port", "9000")) : null,
                    http);
        }

        /** A port number, or the default of a ${VARIABLE:default} (what the image runs with: nothing sets it). */
        private static int port(String value) {
            Matcher matcher = DEFAULT.matcher(value.trim());
            return Integer.parseInt(matcher.matches() ? matcher.group(1) : value.trim());
        }

        Set<Integer> all() {
            Set<Integer> ports = new HashSet<>();
            if (http != null) {
                ports.add(http);
            }
            if (management != null) {
                ports.add(management);
            }
            return ports;
        }
    }
}
