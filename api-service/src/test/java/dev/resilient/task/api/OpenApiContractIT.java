package dev.resilient.task.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The committed OpenAPI document (api-service/openapi.yaml, what clients generate code from) is exactly the one this
 * build generates from the code: a change to the API shows in review as a change to the contract.
 */
class OpenApiContractIT {

    private static final Path COMMITTED = Path.of("openapi.yaml");
    private static final Path GENERATED = Path.of("target", "openapi", "openapi.yaml");

    @Test
    void theCommittedDocumentIsTheOneTheCodeDescribes() throws IOException {
        assertThat(GENERATED)
                .as("the document the build writes (quarkus.smallrye-openapi.store-schema-directory)")
                .exists();
        assertThat(COMMITTED)
                .as("api-service/openapi.yaml, refreshed by `make openapi`")
                .exists();
        assertThat(Files.readString(COMMITTED))
                .as("api-service/openapi.yaml differs from what the code describes: run `make openapi` and commit it")
                .isEqualTo(Files.readString(GENERATED));
    }
}
