package dev.resilient.common.problem;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.resilient.common.config.ApiConfig;
import dev.resilient.shared.contract.Problem;
import dev.resilient.shared.contract.Problem.FieldError;

/**
 * Refuses, before a request is matched to a resource, what the resources cannot take apart cleanly, each with a
 * problem detail that says what is wrong: without these, RESTEasy fails on an unparsable media type, or on a body it
 * never meant to read, with a 500. (A chunked body over the size limit never gets this far: {@link BodyLimit}.)
 */
public class RequestShapeFilters {

    private final ApiConfig config;

    public RequestShapeFilters(ApiConfig config) {
        this.config = config;
    }

    /** A body whose declared length is over the limit, refused before it is read. */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseOversizedBody(ContainerRequestContext request) {
        var declared = request.getLength();
        if (declared <= config.maxBodyBytes()) {
            return Optional.empty();
        }
        var problem = Problem.of(
                413,
                ProblemResponses.reasonPhrase(413),
                "The body is " + declared + " bytes, over the limit of " + config.maxBodyBytes() + " bytes.");
        return Optional.of(
                ProblemResponses.of(problem, request.getUriInfo().getPath()).build());
    }

    /** A Content-Type or Accept that is not a media type (RFC 9110 section 8.3.1, 12.5.1). */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseMalformedMediaTypes(ContainerRequestContext request) {
        for (var header : new String[] {HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT}) {
            for (var value : request.getHeaders().getOrDefault(header, List.of())) {
                if (!parses(header, value)) {
                    return invalid(request, header, "is not a media type such as application/json");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A form body (URL-encoded or multipart): this API takes JSON only, and RESTEasy would parse a form before any
     * resource could refuse it (and fail with a 500 on a malformed one).
     */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseFormBody(ContainerRequestContext request) {
        if (!request.hasEntity() || !isForm(request.getHeaderString(HttpHeaders.CONTENT_TYPE))) {
            return Optional.empty();
        }
        var problem =
                Problem.of(415, ProblemResponses.reasonPhrase(415), "The body must be application/json, not a form.");
        return Optional.of(
                ProblemResponses.of(problem, request.getUriInfo().getPath()).build());
    }

    static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        var type = contentType.trim().toLowerCase(Locale.ROOT);
        return type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded");
    }

    /**
     * A body on a DELETE: this API's deletes take none (RFC 9110 section 9.3.5 gives it no meaning), and one sent
     * anyway would be part of the request's idempotency fingerprint without having any effect.
     */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseBodyOnDelete(ContainerRequestContext request) {
        if (!"DELETE".equals(request.getMethod()) || !request.hasEntity()) {
            return Optional.empty();
        }
        return invalid(request, "body", "must be left out: a DELETE takes none");
    }

    private static boolean parses(String header, String value) {
        try {
            if (header.equals(HttpHeaders.ACCEPT)) {
                for (var range : value.split(",")) {
                    if (!range.isBlank()) {
                        MediaType.valueOf(range.trim());
                    }
                }
            } else {
                MediaType.valueOf(value);
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Optional<Response> invalid(ContainerRequestContext request, String field, String message) {
        var problem =
                Problem.invalidRequest("The request has invalid fields.", List.of(new FieldError(field, message)));
        return Optional.of(
                ProblemResponses.of(problem, request.getUriInfo().getPath()).build());
    }
}
