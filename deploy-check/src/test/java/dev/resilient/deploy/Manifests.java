package dev.resilient.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Reads deploy/ and the build's manifests: YAML documents, rendered overlays, and the fabric8 model of each. */
final class Manifests {
    static final Path ROOT = Path.of(System.getProperty("repository.root", ".."))
            .toAbsolutePath()
            .normalize();
    static final String VERSION = System.getProperty("project.version", "unknown");
    static final List<String> SERVICES = List.of("api-service", "write-worker");

    private static final ObjectMapper YAML = new YAMLMapper();
    // fabric8's own registry of apiVersion and kind (every model jar on the classpath registers its classes).
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    // The model classes take any unknown field into additionalProperties (a JSON "any setter"); without it, a
    // misspelt or misplaced field fails the way the API server's strict field validation refuses it.
    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(
                        DeserializationConfig config, BeanDescription description, BeanDeserializerBuilder builder) {
                    if (description.getBeanClass().getName().startsWith("io.fabric8.")) {
                        builder.setAnySetter(null);
                    }
                    return builder;
                }
            }))
            .build();
    private static final Map<String, String> RENDERED = new ConcurrentHashMap<>();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");

    private Manifests() {}

    /** The YAML documents of a file, comments and empty documents left out. */
    static List<JsonNode> documents(Path file) {
        if (!Files.exists(file)) {
            fail(ROOT.relativize(file) + " is missing");
        }
        try {
            return documents(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> documents(String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && !document.isNull() && !document.isMissingNode() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    /** What `kubectl kustomize deploy/overlays/<overlay>` prints: what `kubectl apply -k` would send. */
    static String render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Manifests::runKustomize);
    }

    private static String runKustomize(String overlay) {
        String directory = "deploy/overlays/" + overlay;
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", directory)
                    .directory(ROOT.toFile())
                    .start();
        } catch (IOException e) {
            return fail("kubectl is needed to render " + directory + " and was not found on the PATH (" + e.getMessage()
                    + "). Install kubectl 1.27 or later (it embeds kustomize 5): "
                    + "https://kubernetes.io/docs/tasks/tools/, or apt-get install kubectl from the Kubernetes "
                    + "package repository");
        }
        try (InputStream out = process.getInputStream();
                InputStream err = process.getErrorStream()) {
            // Read both before waiting: a full pipe would block kubectl.
            var stdout = out.readAllBytes();
            var stderr = err.readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return fail("kubectl kustomize " + directory + " failed, so kubectl apply -k would too:\n"
                        + new String(stderr, StandardCharsets.UTF_8));
            }
            return new String(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The model class fabric8 registers for a document's apiVersion and kind, or null when it has none. */
    static Class<? extends KubernetesResource> modelClass(JsonNode document) {
        Class<? extends KubernetesResource> type = KUBERNETES.getRegisteredKubernetesResource(
                document.path("apiVersion").asText(), document.path("kind").asText());
        return type == null || type == GenericKubernetesResource.class ? null : type;
    }

    /** The document read into its model class with unknown fields rejected; the failure says where. */
    static HasMetadata strictModel(JsonNode document, Class<? extends KubernetesResource> type) throws InvalidResource {
        try {
            return (HasMetadata) STRICT.treeToValue(document, type);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidResource(
                    path(e),
                    "unknown field \"" + e.getPropertyName() + "\" (not in "
                            + e.getReferringClass().getSimpleName() + " of the Kubernetes API)");
        } catch (JsonMappingException e) {
            throw new InvalidResource(path(e), e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String describe(JsonNode document) {
        return document.path("kind").asText("(no kind)") + " "
                + document.path("metadata").path("name").asText("(no name)");
    }

    /** A service's application.properties. */
    static Properties properties(String service) {
        Properties properties = new Properties();
        try (var reader =
                Files.newBufferedReader(ROOT.resolve(service + "/src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The environment variables a service reads: the ${NAME...} references of its application.properties. */
    static TreeSet<String> variablesRead(String service) {
        TreeSet<String> names = new TreeSet<>();
        for (Object value : properties(service).values()) {
            Matcher matcher = VARIABLE.matcher(value.toString());
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (Iterator<JsonMappingException.Reference> it = e.getPath().iterator(); it.hasNext(); ) {
            JsonMappingException.Reference reference = it.next();
            if (reference.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static final class InvalidResource extends Exception {
        final String path;

        InvalidResource(String path, String message) {
            super(message);
            this.path = path;
        }
    }
}
