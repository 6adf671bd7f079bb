package dev.resilient.common.problem;

import java.util.Optional;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.resilient.common.config.ApiConfig;
import dev.resilient.shared.contract.Problem;

/**
 * Refuses a body whose declared length is over the limit with a 413 problem, before reading it. (Vert.x enforces its
 * own, larger limit with a bare 413; this one exists so the client gets a problem detail that says what went wrong.)
 */
public class BodySizeFilter {

    private final ApiConfig config;

    public BodySizeFilter(ApiConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseOversizedBody(HttpHeaders headers, UriInfo uri) {
        var declared = headers.getLength();
        if (declared <= config.maxBodyBytes()) {
            return Optional.empty();
        }
        var problem = Problem.of(
                413,
                ProblemResponses.reasonPhrase(413),
                "The body is " + declared + " bytes; the limit is " + config.maxBodyBytes() + " bytes.");
        return Optional.of(ProblemResponses.of(problem, uri.getPath()).build());
    }
}
