package dev.resilient.common.config;

import java.util.LinkedHashMap;

import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import dev.resilient.common.idempotency.IdempotencyOpenApiFilter;
import dev.resilient.shared.contract.Problem;

/**
 * Documents in the OpenAPI document what holds for every operation, so no resource method repeats it: every error
 * answer's body is a problem detail, every operation may answer 401 and 403 (no endpoint is open:
 * {@code deny-unannotated-endpoints}), and every write takes an Idempotency-Key ({@link IdempotencyOpenApiFilter}).
 * One filter because {@code mp.openapi.filter} names one class, and in this order because the document keeps the
 * order in which each part was added.
 */
public class ApiDocumentFilter implements OASFilter {

    private final OASFilter idempotency = new IdempotencyOpenApiFilter();

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (var item : openAPI.getPaths().getPathItems().values()) {
            for (var operation : item.getOperations().values()) {
                document(operation);
            }
        }
        idempotency.filterOpenAPI(openAPI);
    }

    private static void document(Operation operation) {
        var responses = operation.getResponses();
        if (responses == null || responses.getAPIResponses() == null) {
            return;
        }
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.matches("[45]\\d\\d") && response.getContent() == null) {
                response.content(problem());
            }
        });
        // The authentication answers first, as for an annotation on the resource class.
        var ordered = new LinkedHashMap<String, APIResponse>();
        ordered.put(
                "401",
                OASFactory.createAPIResponse()
                        .description("No bearer token, or one that is expired, malformed or not from the trusted"
                                + " issuer.")
                        .addHeader(
                                HttpHeaders.WWW_AUTHENTICATE,
                                OASFactory.createHeader().description("Bearer realm=\"tasks\""))
                        .content(problem()));
        ordered.put(
                "403",
                OASFactory.createAPIResponse()
                        .description("The token lacks the scope this needs (tasks:read, tasks:write or tasks:admin).")
                        .content(problem()));
        responses.getAPIResponses().forEach(ordered::putIfAbsent);
        responses.setAPIResponses(ordered);
    }

    /** A problem-detail body (RFC 9457), the schema of every error answer. */
    private static org.eclipse.microprofile.openapi.models.media.Content problem() {
        var schema = OASFactory.createSchema().ref("Problem");
        return OASFactory.createContent()
                .addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType().schema(schema));
    }
}
