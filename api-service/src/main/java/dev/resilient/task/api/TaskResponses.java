package dev.resilient.task.api;

import java.util.Date;
import java.util.UUID;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Link;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import dev.resilient.common.problem.ProblemResponses;
import dev.resilient.shared.contract.Problem;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.WriteOutcome;
import dev.resilient.task.application.TaskPage;
import dev.resilient.task.application.TaskRead;
import dev.resilient.task.application.WriteAnswer;

/** How tasks and write outcomes are written as HTTP responses: status, validators and caching headers. */
final class TaskResponses {

    /** Clients may keep a copy but must revalidate it (cheap with {@code If-None-Match}); shared caches may not. */
    static final String READ_CACHE_CONTROL = "private, no-cache";

    /** RFC 9211: says that an answer is the last known copy, served because PostgreSQL could not answer. */
    static final String CACHE_STATUS = "Cache-Status";

    static final String FALLBACK_CACHE_STATUS = "tasks-api; hit; detail=fallback";

    private TaskResponses() {}

    /** A page, with a link to the next one while there is one (RFC 8288; relative to the request's URI). */
    static Response page(TaskPage page, int limit, String requestPath) {
        var builder = readHeaders(Response.ok(page.tasks()), page.fromFallback());
        if (page.next() != null) {
            var next = UriBuilder.fromPath(requestPath)
                    .queryParam("limit", limit)
                    .queryParam("after", page.next().token());
            builder.links(Link.fromUriBuilder(next).rel("next").build());
        }
        return builder.build();
    }

    static Response read(TaskRead read) {
        return readHeaders(withValidators(Response.ok(read.snapshot().task()), read.snapshot()), read.fromFallback())
                .build();
    }

    static Response notModified(TaskRead read) {
        return readHeaders(withValidators(Response.notModified(), read.snapshot()), read.fromFallback())
                .build();
    }

    private static Response.ResponseBuilder readHeaders(Response.ResponseBuilder builder, boolean fromFallback) {
        builder.header(HttpHeaders.CACHE_CONTROL, READ_CACHE_CONTROL);
        return fromFallback ? builder.header(CACHE_STATUS, FALLBACK_CACHE_STATUS) : builder;
    }

    static Response notFound(UUID taskId, String requestPath) {
        return ProblemResponses.of(Problem.taskNotFound(taskId), requestPath).build();
    }

    /** A write's answer: the outcome of applying it now, or 202 with where to poll for it. */
    static Response written(WriteAnswer answer, String requestPath) {
        if (answer instanceof WriteAnswer.Deferred deferred) {
            var location = DeferredWriteResource.locationOf(deferred.operationId());
            return Response.accepted(new DeferredResponse(
                            deferred.operationId(), "pending", location, deferred.pollAfterSeconds()))
                    .header(HttpHeaders.LOCATION, location)
                    .header(HttpHeaders.RETRY_AFTER, deferred.pollAfterSeconds())
                    .build();
        }
        return written(((WriteAnswer.Applied) answer).outcome(), requestPath);
    }

    static Response written(WriteOutcome outcome, String requestPath) {
        if (outcome instanceof WriteOutcome.Created created) {
            var task = created.snapshot().task();
            return withValidators(Response.status(Response.Status.CREATED).entity(task), created.snapshot())
                    .header(HttpHeaders.LOCATION, TaskResource.PATH + "/" + task.id())
                    .build();
        }
        if (outcome instanceof WriteOutcome.Updated updated) {
            return withValidators(Response.ok(updated.snapshot().task()), updated.snapshot())
                    .build();
        }
        if (outcome instanceof WriteOutcome.Deleted) {
            return Response.noContent().build();
        }
        if (outcome instanceof WriteOutcome.NotFound notFound) {
            return notFound(notFound.taskId(), requestPath);
        }
        if (outcome instanceof WriteOutcome.PreconditionFailed failed) {
            return ProblemResponses.of(failed.problem(), requestPath)
                    .header(HttpHeaders.ETAG, failed.current().entityTag())
                    .build();
        }
        if (outcome instanceof WriteOutcome.Superseded superseded) {
            // Only a resend of a deferred write that ended superseded answers this: it reports that outcome.
            return ProblemResponses.of(superseded.problem(), requestPath)
                    .header(HttpHeaders.ETAG, superseded.current().entityTag())
                    .build();
        }
        throw new IllegalArgumentException(
                "Unknown outcome: " + outcome.getClass().getSimpleName());
    }

    private static Response.ResponseBuilder withValidators(Response.ResponseBuilder builder, TaskSnapshot snapshot) {
        return builder.header(HttpHeaders.ETAG, snapshot.entityTag())
                .lastModified(Date.from(snapshot.task().updatedAt()));
    }
}
