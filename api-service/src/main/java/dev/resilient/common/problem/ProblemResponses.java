package dev.resilient.common.problem;

import jakarta.ws.rs.core.Response;

import dev.resilient.shared.contract.Problem;

/** Turns a {@link Problem} into the response that carries it. */
public final class ProblemResponses {

    private ProblemResponses() {}

    public static Response.ResponseBuilder of(Problem problem, String instance) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem.withInstance(instance));
    }

    /** The standard reason phrase of a status, for {@code about:blank} problems. */
    public static String reasonPhrase(int status) {
        var known = Response.Status.fromStatusCode(status);
        if (known != null) {
            return known.getReasonPhrase();
        }
        return switch (status) {
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }
}
