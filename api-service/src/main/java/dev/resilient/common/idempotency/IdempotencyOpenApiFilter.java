package dev.resilient.common.idempotency;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import dev.resilient.shared.contract.Problem;

/**
 * Documents in the OpenAPI document what {@link IdempotencyFilters} adds to every write: the required
 * {@code Idempotency-Key} header, the replay header, and the 409, 422 and 503 answers. Kept here, next to the
 * mechanism, rather than repeated on each resource method.
 */
public class IdempotencyOpenApiFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (var item : openAPI.getPaths().getPathItems().values()) {
            for (var operation : new Operation[] {item.getPOST(), item.getPUT(), item.getDELETE()}) {
                if (operation != null) {
                    document(operation);
                }
            }
        }
    }

    private static void document(Operation operation) {
        operation.addParameter(OASFactory.createParameter()
                .name(IdempotencyKey.HEADER)
                .in(Parameter.In.HEADER)
                .required(true)
                .description("One key per logical write (e.g. a UUID), reused on every retry of it: 1 to 255 visible"
                        + " ASCII characters, bare or as a quoted string. X-Idempotency-Key is accepted when this"
                        + " header is absent.")
                .schema(OASFactory.createSchema()
                        .addType(Schema.SchemaType.STRING)
                        .minLength(1)
                        .maxLength(IdempotencyKey.MAX_LENGTH)));
        var responses = operation.getResponses();
        if (responses == null) {
            return;
        }
        var replayed = OASFactory.createHeader()
                .description("true when this is the stored response of an earlier request with the same key")
                .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING));
        responses
                .getAPIResponses()
                .values()
                .forEach(response -> response.addHeader(IdempotencyFilters.REPLAYED, replayed));
        responses.addAPIResponse(
                "409", problem("A request with this key is still in flight; retry after Retry-After."));
        responses.addAPIResponse("422", problem("This key was used with a different request body."));
        responses.addAPIResponse(
                "503", problem("Writes are paused (Redis unavailable); retry after Retry-After with the same key."));
        responses.getAPIResponse("409").addHeader("Retry-After", retryAfter());
        responses.getAPIResponse("503").addHeader("Retry-After", retryAfter());
    }

    private static APIResponse problem(String description) {
        var schema = OASFactory.createSchema().ref("Problem");
        var content = OASFactory.createContent()
                .addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType().schema(schema));
        return OASFactory.createAPIResponse().description(description).content(content);
    }

    private static Header retryAfter() {
        return OASFactory.createHeader()
                .description("Seconds to wait before retrying")
                .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER));
    }
}
