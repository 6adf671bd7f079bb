package dev.resilient.shared.contract;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, the body of every error answer ({@code application/problem+json}) and of a deferred
 * write that failed for a business reason. It never carries class names or stack traces.
 *
 * @param type a URI naming the kind of problem; {@code about:blank} when the status says it all
 * @param errors one entry per offending field of a request, when there are any
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String BLANK = "about:blank";
    public static final String INVALID_REQUEST = "urn:resilient-tasks:problem:invalid-request";
    public static final String SUPERSEDED = "urn:resilient-tasks:problem:superseded";
    public static final String EXPIRED = "urn:resilient-tasks:problem:expired";

    /** One rejected part of a request: a body field, a path parameter or a header, named as the client sent it. */
    public record FieldError(String field, String message) {}

    /** A problem whose status says it all: the title is the status' reason phrase. */
    public static Problem of(int status, String title, String detail) {
        return new Problem(BLANK, title, status, detail, null, null);
    }

    public static Problem invalidRequest(String detail, List<FieldError> errors) {
        return new Problem(
                INVALID_REQUEST, "Invalid request", 400, detail, null, errors.isEmpty() ? null : List.copyOf(errors));
    }

    public static Problem taskNotFound(UUID taskId) {
        return of(404, "Not Found", "Task " + taskId + " does not exist.");
    }

    public static Problem superseded(UUID taskId) {
        return new Problem(
                SUPERSEDED,
                "Superseded",
                409,
                "Task " + taskId + " was changed by a write accepted after this one; this write was not applied, so"
                        + " that it does not overwrite the newer one.",
                null,
                null);
    }

    public static Problem expired(Duration horizon) {
        return new Problem(
                EXPIRED,
                "Expired",
                410,
                "The write waited longer than "
                        + horizon.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                        + " to be applied, so it was not applied: send it again if it still stands.",
                null,
                null);
    }

    public static Problem preconditionFailed(UUID taskId, String currentEntityTag) {
        return of(
                412,
                "Precondition Failed",
                "Task " + taskId + " has changed: If-Match does not match its current ETag " + currentEntityTag + ".");
    }

    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance, errors);
    }
}
