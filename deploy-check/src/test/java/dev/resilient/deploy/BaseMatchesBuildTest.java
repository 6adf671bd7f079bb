package dev.resilient.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * deploy/base/<service>.yml is committed so that `kubectl apply -k` works from a clone without a build; it must stay
 * what the build generates from application.properties and src/main/kubernetes/kubernetes.yml.
 */
class BaseMatchesBuildTest {
    static final List<String> SERVICES = Manifests.SERVICES;
    private static final Set<String> UNORDERED = Set.of("ports", "envFrom");

    @ParameterizedTest
    @FieldSource("SERVICES")
    void committedBaseIsWhatTheBuildGenerates(String service) {
        Path generated = Manifests.ROOT.resolve(service + "/target/kubernetes/kubernetes.yml");
        Path committed = Manifests.ROOT.resolve("deploy/base/" + service + ".yml");
        if (!Files.exists(generated)) {
            fail(Manifests.ROOT.relativize(generated) + " is missing: package the services first (./mvnw -B package "
                    + "-DskipTests, or make build); mvn verify of the whole project does it before this module");
        }
        Map<String, JsonNode> built = byResource(Manifests.documents(generated));
        Map<String, JsonNode> inGit = byResource(Manifests.documents(committed));
        Findings findings = new Findings("deploy/base/" + service + ".yml is not what the build generates ("
                + service + "/target/kubernetes/kubernetes.yml), so kubectl apply -k would deploy other manifests "
                + "than the sources describe. Run `make manifests` and commit deploy/base/");
        built.forEach((resource, document) -> {
            JsonNode old = inGit.get(resource);
            if (old == null) {
                findings.problem(resource + " is generated but missing from deploy/base/" + service + ".yml");
            } else if (!old.equals(document)) {
                findings.problem(resource + " differs, first at " + firstDifference("", old, document));
            }
        });
        inGit.keySet().stream()
                .filter(resource -> !built.containsKey(resource))
                .forEach(resource -> findings.problem(
                        resource + " is in deploy/base/" + service + ".yml but the build no longer generates it"));
        findings.assertNone();
    }

    private static Map<String, JsonNode> byResource(List<JsonNode> documents) {
        Map<String, JsonNode> resources = new LinkedHashMap<>();
        documents.forEach(document -> resources.put(Manifests.describe(document), canonical(document)));
        return resources;
    }

    /**
     * quarkus-kubernetes lists a container's ports and envFrom sources in an order that changes from build to build;
     * neither order means anything to Kubernetes (the ConfigMap and Secret share no key), so both are sorted.
     */
    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            node.fields().forEachRemaining(field -> {
                JsonNode value = canonical(field.getValue());
                if (UNORDERED.contains(field.getKey()) && value.isArray()) {
                    List<JsonNode> items = new ArrayList<>();
                    value.forEach(items::add);
                    items.sort(Comparator.comparing(JsonNode::toString));
                    value = copy.arrayNode().addAll(items);
                }
                copy.set(field.getKey(), value);
            });
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = ((ArrayNode) node).arrayNode();
            node.forEach(item -> copy.add(canonical(item)));
            return copy;
        }
        return node;
    }

    /** The JSON pointer of the first place where two documents differ, with both values. */
    private static String firstDifference(String path, JsonNode committed, JsonNode generated) {
        if (committed.isObject() && generated.isObject()) {
            for (Iterator<String> names = generated.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!generated.get(name).equals(committed.get(name))) {
                    return committed.has(name)
                            ? firstDifference(path + "/" + name, committed.get(name), generated.get(name))
                            : path + "/" + name + " (only generated)";
                }
            }
            for (Iterator<String> names = committed.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!generated.has(name)) {
                    return path + "/" + name + " (only committed)";
                }
            }
        }
        if (committed.isArray() && generated.isArray() && committed.size() == generated.size()) {
            for (int i = 0; i < generated.size(); i++) {
                if (!generated.get(i).equals(committed.get(i))) {
                    return firstDifference(path + "/" + i, committed.get(i), generated.get(i));
                }
            }
        }
        return (path.isEmpty() ? "/" : path) + ": committed " + committed + ", generated " + generated;
    }
}
