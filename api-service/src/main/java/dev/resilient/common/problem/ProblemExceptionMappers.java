package dev.resilient.common.problem;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.ValidationException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

import dev.resilient.common.resilience.DependencyUnavailableException;
import dev.resilient.shared.contract.Problem;
import dev.resilient.shared.contract.Problem.FieldError;
import dev.resilient.shared.contract.TaskStatus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error the API can answer, as an RFC 9457 problem detail. Messages are written here, never taken from an
 * exception, so no class name, SQL or stack trace reaches a client. The priority puts these ahead of the framework's
 * own mappers for the same exceptions.
 */
public class ProblemExceptionMappers {

    private static final int BEFORE_BUILT_IN = Priorities.USER - 100;
    private static final String BODY = "body";
    private static final String BEARER_CHALLENGE = "Bearer realm=\"tasks\"";

    private final Instance<AllowedMethods> allowedMethods;

    public ProblemExceptionMappers(@Any Instance<AllowedMethods> allowedMethods) {
        this.allowedMethods = allowedMethods;
    }

    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response validationFailed(ValidationException exception, UriInfo uri) {
        if (!(exception instanceof ConstraintViolationException violations)) {
            return unexpected(exception, uri);
        }
        var errors = violations.getConstraintViolations().stream()
                .map(violation -> new FieldError(fieldOf(violation), violation.getMessage()))
                .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
                .toList();
        return invalid("The request has invalid fields.", errors, uri);
    }

    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response invalidRequest(InvalidRequestException exception, UriInfo uri) {
        return invalid(
                "The request has invalid fields.",
                List.of(new FieldError(exception.field(), exception.getMessage())),
                uri);
    }

    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response unreadableJson(JsonProcessingException exception, UriInfo uri) {
        return invalid(describe(exception), errorsOf(exception), uri);
    }

    /** Declared for its own type, or the JSON extension's mapper for it would win over the one above. */
    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response mismatchedJson(MismatchedInputException exception, UriInfo uri) {
        return unreadableJson(exception, uri);
    }

    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response httpError(WebApplicationException exception, UriInfo uri, HttpHeaders headers) {
        if (exception.getCause() instanceof JsonProcessingException json) {
            return unreadableJson(json, uri); // the JSON reader wraps what it cannot parse in a plain 400
        }
        var status = exception.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(exception, uri);
        }
        var problem = Problem.of(status, ProblemResponses.reasonPhrase(status), detailFor(status, uri, headers));
        var response = ProblemResponses.of(problem, uri.getPath());
        if (status == 405) {
            allowedMethods.stream()
                    .flatMap(routes -> routes.forPath(uri.getPath()).stream())
                    .findFirst()
                    .ifPresent(allow -> response.header(HttpHeaders.ALLOW, allow));
        }
        return response.build();
    }

    /** No token: the challenge says how to authenticate (RFC 6750). */
    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response unauthenticated(UnauthorizedException exception, UriInfo uri) {
        return unauthorized(
                "Send a bearer token from the issuer this API trusts: Authorization: Bearer <JWT>.",
                BEARER_CHALLENGE,
                uri);
    }

    /** A token that is expired, malformed, or not signed by the trusted issuer. */
    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response badToken(AuthenticationFailedException exception, UriInfo uri) {
        Log.debugf("401 on %s: %s", uri.getPath(), exception.getMessage());
        return unauthorized(
                "The bearer token is expired, malformed or not from the issuer this API trusts.",
                BEARER_CHALLENGE + ", error=\"invalid_token\"",
                uri);
    }

    /** A valid token without the scope the request needs (tasks:read, tasks:write or tasks:admin). */
    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response forbidden(ForbiddenException exception, UriInfo uri) {
        var problem = Problem.of(
                403,
                ProblemResponses.reasonPhrase(403),
                "The token does not grant the scope this needs: tasks:read to read, tasks:write to write,"
                        + " tasks:admin to delete every task.");
        return ProblemResponses.of(problem, uri.getPath()).build();
    }

    /** A dependency could not answer and there is no degraded answer: try again once its breaker tries again. */
    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response dependencyUnavailable(DependencyUnavailableException exception, UriInfo uri) {
        Log.debugf("503 on %s: %s", uri.getPath(), exception.getMessage());
        var problem = Problem.of(
                503,
                ProblemResponses.reasonPhrase(503),
                "The service cannot answer this right now; retry after " + exception.retryAfterSeconds() + " s.");
        return ProblemResponses.of(problem, uri.getPath())
                .header(HttpHeaders.RETRY_AFTER, exception.retryAfterSeconds())
                .build();
    }

    /** The last resort: logged with an id the client can quote, answered without any detail of the cause. */
    @ServerExceptionMapper(priority = BEFORE_BUILT_IN)
    public Response unexpected(Throwable exception, UriInfo uri) {
        var errorId = UUID.randomUUID();
        Log.errorf(exception, "Unexpected error %s on %s", errorId, uri.getPath());
        var problem = Problem.of(
                500,
                ProblemResponses.reasonPhrase(500),
                "The server could not handle the request; the error was logged as " + errorId + ".");
        return ProblemResponses.of(problem, uri.getPath()).build();
    }

    private static Response unauthorized(String detail, String challenge, UriInfo uri) {
        var problem = Problem.of(401, ProblemResponses.reasonPhrase(401), detail);
        return ProblemResponses.of(problem, uri.getPath())
                .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
                .build();
    }

    private static Response invalid(String detail, List<FieldError> errors, UriInfo uri) {
        return ProblemResponses.of(Problem.invalidRequest(detail, errors), uri.getPath())
                .build();
    }

    private static String detailFor(int status, UriInfo uri, HttpHeaders headers) {
        return switch (status) {
            case 404 -> "There is nothing at " + uri.getPath() + ".";
            case 405 -> "This method is not allowed on " + uri.getPath() + ".";
            case 406 -> "This resource answers with application/json only.";
            case 413 -> "The body is too large.";
            case 415 ->
                "Send the body as application/json (it was "
                        + (headers.getMediaType() == null ? "not declared" : headers.getMediaType()) + ").";
            default -> ProblemResponses.reasonPhrase(status) + ".";
        };
    }

    /** A violation's field as the client named it: the body property path, else the parameter (id, header). */
    private static String fieldOf(ConstraintViolation<?> violation) {
        String parameter = null;
        var properties = new ArrayList<String>();
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
            } else if (node.getKind() == ElementKind.PROPERTY) {
                properties.add(node.getName());
            }
        }
        if (!properties.isEmpty()) {
            return String.join(".", properties);
        }
        return parameter == null ? BODY : parameter;
    }

    private static String describe(JsonProcessingException exception) {
        if (exception instanceof JsonMappingException) {
            return "The body does not match the expected JSON.";
        }
        var location = exception.getLocation();
        return location == null
                ? "The body is not well-formed JSON."
                : "The body is not well-formed JSON (line " + location.getLineNr() + ", column "
                        + location.getColumnNr() + ").";
    }

    private static List<FieldError> errorsOf(JsonProcessingException exception) {
        return exception instanceof JsonMappingException mapping ? List.of(fieldErrorOf(mapping)) : List.of();
    }

    private static FieldError fieldErrorOf(JsonMappingException exception) {
        var field = exception.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."));
        if (field.isEmpty()) {
            return new FieldError(BODY, "must be a JSON object");
        }
        if (exception instanceof UnrecognizedPropertyException unknown) {
            var writable = unknown.getKnownPropertyIds().stream()
                    .map(Object::toString)
                    .sorted()
                    .collect(Collectors.joining(", "));
            return new FieldError(field, "is not a writable field (writable: " + writable + ")");
        }
        if (exception instanceof InvalidNullException) {
            return new FieldError(field, "must not be null");
        }
        var target = exception instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (target == TaskStatus.class) {
            return new FieldError(field, "must be one of: " + String.join(", ", TaskStatus.wireValues()));
        }
        if (exception instanceof InvalidFormatException || target == String.class) {
            return new FieldError(field, "must be a string");
        }
        return new FieldError(field, "has the wrong type");
    }
}
