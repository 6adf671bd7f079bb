package dev.resilient.common.problem;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;

import dev.resilient.common.config.ApiConfig;
import dev.resilient.shared.contract.Problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Holds a chunked request body (HTTP/1.1, no declared length) to {@code tasks.api.max-body-bytes} (16 KiB), refusing
 * it with a 413 problem detail as soon as it passes the limit; Vert.x's {@link BodyHandler} does the reading and
 * counting. A declared length is checked before anything is read ({@link RequestShapeFilters}). Not for HTTP/2: there
 * RESTEasy cannot take over a body another handler has read (it fails with a 500), so a body sent without a length
 * over HTTP/2 meets only the framework's backstop ({@code quarkus.http.limits.max-body-size}, a bare 413).
 */
@ApplicationScoped
class BodyLimit {

    /** Ahead of every route. */
    private static final int PRIORITY = 1_000;

    private final ApiConfig config;
    private final ObjectMapper json;

    BodyLimit(ApiConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    void readBodiesWithinTheLimit(@Observes Filters filters) {
        // No file uploads: nothing a client sends is ever written to disk.
        var bodies = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
        filters.register(
                context -> {
                    if (isChunked(context)) {
                        bodies.handle(context);
                    } else {
                        context.next();
                    }
                },
                PRIORITY);
    }

    /** {@link BodyHandler} fails the request with 413; this says why, as every other refusal does. */
    void explainTooLarge(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            if (context.statusCode() != 413 || context.response().ended()) {
                context.next();
                return;
            }
            var problem = Problem.of(
                            413,
                            ProblemResponses.reasonPhrase(413),
                            "The body is over the limit of " + config.maxBodyBytes() + " bytes.")
                    .withInstance(context.request().path());
            context.response()
                    .setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    // What is left of the body is not read: the connection cannot carry another request.
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(write(problem));
        });
    }

    /**
     * A chunked body of a method that takes one, JSON as far as we can tell: a form body is refused unread with 415
     * ({@link RequestShapeFilters}), and Vert.x would try to decode it.
     */
    private static boolean isChunked(RoutingContext context) {
        var request = context.request();
        var method = request.method();
        return request.version() != HttpVersion.HTTP_2
                && (method == HttpMethod.POST || method == HttpMethod.PUT)
                && request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                && !request.headers().contains(HttpHeaders.CONTENT_LENGTH)
                && !RequestShapeFilters.isForm(request.getHeader(HttpHeaders.CONTENT_TYPE));
    }

    private String write(Problem problem) {
        try {
            return json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A problem detail is always serialisable", e);
        }
    }
}
