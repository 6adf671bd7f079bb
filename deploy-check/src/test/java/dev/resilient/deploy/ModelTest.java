package dev.resilient.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

/** Every rendered resource is one the API server knows, with no field it would refuse or silently drop. */
class ModelTest {

    @ParameterizedTest
    @EnumSource(Overlay.class)
    void everyResourceReadsIntoTheKubernetesModel(Overlay overlay) {
        Findings findings = new Findings(overlay + " renders resources kubectl apply would refuse (or whose settings "
                + "it would drop without strict field validation)");
        for (JsonNode document : overlay.documents()) {
            String resource = Manifests.describe(document);
            var type = Manifests.modelClass(document);
            if (type == null) {
                findings.problem(resource + ": no model for apiVersion " + document.path("apiVersion")
                        + ": a misspelt apiVersion or kind, or a custom resource whose definition is not checked here");
                continue;
            }
            try {
                Manifests.strictModel(document, type);
            } catch (Manifests.InvalidResource e) {
                findings.problem(resource + ": " + (e.path.isEmpty() ? "" : "at " + e.path + ": ")
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        findings.assertNone();
    }
}
