package dev.resilient.task.api;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.resilient.common.problem.ProblemResponses;
import dev.resilient.common.security.Scopes;
import dev.resilient.shared.contract.DeferredWriteState;
import dev.resilient.shared.contract.Problem;
import dev.resilient.task.application.DeferredWriteService;
import dev.resilient.task.infrastructure.deferred.DeferredWritesConfig;

import io.smallrye.mutiny.Uni;

/** Where a deferred write stands: {@code GET /tasks/queued/{id}} (docs/design.md section 2). */
@Path(DeferredWriteResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tasks")
public class DeferredWriteResource {

    static final String PATH = TaskResource.PATH + "/queued";

    private final DeferredWriteService deferred;
    private final DeferredWritesConfig config;

    public DeferredWriteResource(DeferredWriteService deferred, DeferredWritesConfig config) {
        this.deferred = deferred;
        this.config = config;
    }

    static String locationOf(UUID operationId) {
        return PATH + "/" + operationId;
    }

    @GET
    @RolesAllowed(Scopes.READ)
    @Path("{id}")
    @Operation(summary = "Poll a deferred write until it is completed (with the result) or failed (with the problem)")
    @APIResponse(
            responseCode = "200",
            description = "The deferred write's state; Retry-After while it is not final.",
            headers = @Header(name = HttpHeaders.RETRY_AFTER, description = "Seconds until the next poll"),
            content = @Content(schema = @Schema(implementation = DeferredWriteState.class)))
    @APIResponse(responseCode = "400", description = "The id is not a UUID.")
    @APIResponse(responseCode = "404", description = "Unknown or expired deferred write.")
    public Uni<Response> get(
            @PathParam("id") @Pattern(regexp = TaskResource.UUID_PATTERN, message = TaskResource.UUID_MESSAGE)
                    String id,
            UriInfo uri) {
        var operationId = UUID.fromString(id);
        return deferred.find(operationId).map(state -> {
            if (state == null) {
                var problem =
                        Problem.of(404, "Not Found", "Deferred write " + operationId + " is unknown or has expired.");
                return ProblemResponses.of(problem, uri.getPath()).build();
            }
            var response = Response.ok(state).header(HttpHeaders.CACHE_CONTROL, "no-store");
            if (!state.status().isFinal()) {
                response.header(HttpHeaders.RETRY_AFTER, config.pollAfterSeconds());
            }
            return response.build();
        });
    }
}
