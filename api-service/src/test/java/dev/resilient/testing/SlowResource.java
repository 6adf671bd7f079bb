package dev.resilient.testing;

import java.time.Duration;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import dev.resilient.common.security.Scopes;

import io.smallrye.mutiny.Uni;

/** A read route that exists only in the test application and takes as long as asked: it holds a request in flight. */
@Path(SlowResource.PATH)
public class SlowResource {

    public static final String PATH = "/test-only/slow";

    @GET
    @RolesAllowed(Scopes.READ)
    public Uni<String> slow(@QueryParam("millis") long millis) {
        return Uni.createFrom().item("done").onItem().delayIt().by(Duration.ofMillis(millis));
    }
}
