package dev.resilient.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** An overlay of deploy/overlays/ and what each demands of its rendered output. */
enum Overlay {
    // One pod of each, images loaded into the cluster, the local passwords in a generated Secret.
    LOCAL("local", 1, "Never", true, false),
    // The base's replicas and budgets, pinned images, the Secret left to the operator.
    PRODUCTION("production", 2, "IfNotPresent", false, true);

    private static final Map<Overlay, List<HasMetadata>> MODELS = new ConcurrentHashMap<>();
    private static final Map<Overlay, List<String>> UNREADABLE = new ConcurrentHashMap<>();

    final String directory;
    final int minReplicas;
    final String pullPolicy;
    final boolean shipsSecret;
    final boolean highlyAvailable;

    Overlay(String directory, int minReplicas, String pullPolicy, boolean shipsSecret, boolean highlyAvailable) {
        this.directory = directory;
        this.minReplicas = minReplicas;
        this.pullPolicy = pullPolicy;
        this.shipsSecret = shipsSecret;
        this.highlyAvailable = highlyAvailable;
    }

    List<JsonNode> documents() {
        return Manifests.documents(Manifests.render(directory));
    }

    /** The rendered resources as model objects, for the semantic checks (ModelTest says which fail to read). */
    List<HasMetadata> resources() {
        return MODELS.computeIfAbsent(this, overlay -> {
            List<HasMetadata> resources = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            for (JsonNode document : overlay.documents()) {
                var type = Manifests.modelClass(document);
                if (type != null) {
                    try {
                        resources.add(Manifests.strictModel(document, type));
                    } catch (Manifests.InvalidResource e) {
                        unreadable.add(Manifests.describe(document)); // ModelTest says why.
                    }
                } else {
                    unreadable.add(Manifests.describe(document));
                }
            }
            UNREADABLE.put(overlay, unreadable);
            return resources;
        });
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return resources().stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream()
                .filter(resource -> name.equals(resource.getMetadata().getName()))
                .findFirst();
    }

    /** Says that a resource is missing, or that it is there but fails to read into the model. */
    String missing(String kind, String name) {
        resources();
        return UNREADABLE.get(this).contains(kind + " " + name)
                ? kind + " " + name + " does not read into the Kubernetes model (see ModelTest)"
                : "no " + kind + " named " + name;
    }

    @Override
    public String toString() {
        return "deploy/overlays/" + directory;
    }
}
