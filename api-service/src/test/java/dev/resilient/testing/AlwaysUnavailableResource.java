package dev.resilient.testing;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import dev.resilient.common.security.Scopes;

/**
 * A write route that exists only in the test application and always answers 503, so tests can watch what the
 * idempotency layer does with a server error without having to break a real dependency in just the right way.
 */
@Path(AlwaysUnavailableResource.PATH)
public class AlwaysUnavailableResource {

    public static final String PATH = "/test-only/unavailable";

    @POST
    @RolesAllowed(Scopes.WRITE)
    public Response write(String body) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).build();
    }
}
