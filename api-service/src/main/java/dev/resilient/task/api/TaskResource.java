package dev.resilient.task.api;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.resilient.common.idempotency.IdempotentRequest;
import dev.resilient.common.problem.InvalidRequestException;
import dev.resilient.common.security.Scopes;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.task.application.PageCursor;
import dev.resilient.task.application.TaskService;

import io.smallrye.mutiny.Uni;

/** The task endpoints: validate, call one use case, write the outcome as HTTP (docs/design.md section 2). */
@Path(TaskResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tasks")
@APIResponse(responseCode = "406", description = "The client accepts no JSON.")
@APIResponse(
        responseCode = "500",
        description = "An unexpected error; the body gives the id under which it was logged.")
public class TaskResource {

    static final String PATH = "/tasks";
    static final String UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
    static final String UUID_MESSAGE = "must be a UUID such as 7fbccabe-0635-450d-92db-d0fe4829759a";
    static final String LIMIT_PATTERN = "^([1-9][0-9]{0,2}|1000)$";
    static final String LIMIT_MESSAGE = "must be a whole number from 1 to " + TaskService.MAX_PAGE_SIZE;

    private final TaskService service;
    private final IdempotentRequest request;

    public TaskResource(TaskService service, IdempotentRequest request) {
        this.service = service;
        this.request = request;
    }

    @GET
    @RolesAllowed(Scopes.READ)
    @Operation(
            summary = "List tasks, oldest first, a page at a time",
            description = "Follow the Link rel=\"next\" header to the next page; there is none after the last.")
    @APIResponse(
            responseCode = "200",
            description = "A page of tasks.",
            headers = {
                @Header(
                        name = HttpHeaders.LINK,
                        description = "<…>; rel=\"next\": the next page, while more tasks remain"),
                @Header(name = HttpHeaders.CACHE_CONTROL, description = "private, no-cache"),
                @Header(
                        name = TaskResponses.CACHE_STATUS,
                        description = "Present when PostgreSQL could not answer and this is the last known copy")
            },
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = TaskResponse.class, type = SchemaType.ARRAY)))
    @APIResponse(
            responseCode = "400",
            description = "limit is not a whole number from 1 to 1000, or after is not a cursor this API gave out.")
    public Uni<Response> list(
            @Parameter(description = "How many tasks a page holds, 1 to 1000; 100 when left out")
                    @QueryParam("limit")
                    @Pattern(regexp = LIMIT_PATTERN, message = LIMIT_MESSAGE)
                    String limit,
            @Parameter(description = "Where the page starts: the cursor in the Link header of the page before")
                    @QueryParam("after")
                    String after,
            UriInfo uri) {
        var size = limit == null ? TaskService.DEFAULT_PAGE_SIZE : Integer.parseInt(limit);
        var cursor = after == null
                ? null
                : PageCursor.parse(after)
                        .orElseThrow(() -> new InvalidRequestException(
                                "after", "is not a cursor this API gave out; follow the Link header of a page"));
        return service.list(cursor, size).map(page -> TaskResponses.page(page, size, uri.getPath()));
    }

    @POST
    @RolesAllowed(Scopes.WRITE)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a task")
    @APIResponse(
            responseCode = "201",
            description = "Created.",
            headers = {
                @Header(name = HttpHeaders.LOCATION, description = "/tasks/{id} of the new task"),
                @Header(name = HttpHeaders.ETAG, description = "The version, for If-Match"),
                @Header(name = HttpHeaders.LAST_MODIFIED)
            },
            content = @Content(schema = @Schema(implementation = TaskResponse.class)))
    @APIResponse(
            responseCode = "400",
            description = "Invalid body: malformed JSON, unknown or read-only field, wrong type, null, bad name or"
                    + " status. Nothing is created.")
    @APIResponse(responseCode = "413", description = "Body too large.")
    @APIResponse(responseCode = "415", description = "Body is not application/json.")
    public Uni<Response> create(
            @NotNull(message = "a JSON body is required") @Valid CreateTaskRequest body, UriInfo uri) {
        return service.create(request.operationId(), request.taskId(), body.name, body.status)
                .map(outcome -> TaskResponses.written(outcome, uri.getPath()));
    }

    @DELETE
    @RolesAllowed(Scopes.ADMIN)
    @Operation(summary = "Delete all tasks")
    @APIResponse(responseCode = "204", description = "Deleted.")
    public Uni<Response> deleteAll(UriInfo uri) {
        return service.deleteAll(request.operationId()).map(outcome -> TaskResponses.written(outcome, uri.getPath()));
    }

    @GET
    @RolesAllowed(Scopes.READ)
    @Path("{id}")
    @Operation(summary = "Get one task")
    @APIResponse(
            responseCode = "200",
            description = "The task.",
            headers = {
                @Header(name = HttpHeaders.ETAG, description = "The version, for If-None-Match and If-Match"),
                @Header(name = HttpHeaders.LAST_MODIFIED),
                @Header(name = HttpHeaders.CACHE_CONTROL, description = "private, no-cache"),
                @Header(
                        name = TaskResponses.CACHE_STATUS,
                        description = "Present when PostgreSQL could not answer and this is the last known copy")
            },
            content = @Content(schema = @Schema(implementation = TaskResponse.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match matches the current ETag.")
    @APIResponse(responseCode = "400", description = "The id is not a UUID.")
    @APIResponse(responseCode = "404", description = "No such task.")
    public Uni<Response> get(
            @PathParam("id") @Pattern(regexp = UUID_PATTERN, message = UUID_MESSAGE) String id,
            @Parameter(description = "Answer 304 if the task still has one of these ETags")
                    @HeaderParam(HttpHeaders.IF_NONE_MATCH)
                    String ifNoneMatch,
            UriInfo uri) {
        var taskId = UUID.fromString(id);
        return service.find(taskId).map(read -> {
            var snapshot = read.snapshot();
            if (snapshot == null) {
                return TaskResponses.notFound(taskId, uri.getPath());
            }
            return EntityTagHeaders.noneMatchFails(ifNoneMatch, snapshot.entityTag())
                    ? TaskResponses.notModified(read)
                    : TaskResponses.read(read);
        });
    }

    @PUT
    @RolesAllowed(Scopes.WRITE)
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a task's name and/or status; fields left out keep their value")
    @APIResponse(
            responseCode = "200",
            description = "The updated task.",
            headers = {
                @Header(name = HttpHeaders.ETAG, description = "The new version"),
                @Header(name = HttpHeaders.LAST_MODIFIED)
            },
            content = @Content(schema = @Schema(implementation = TaskResponse.class)))
    @APIResponse(
            responseCode = "400",
            description = "Invalid id, If-Match header or body (as for POST; an empty object is rejected too).")
    @APIResponse(responseCode = "404", description = "No such task.")
    @APIResponse(
            responseCode = "412",
            description = "If-Match does not match the current ETag (sent back in ETag); nothing changed.")
    @APIResponse(responseCode = "413", description = "Body too large.")
    @APIResponse(responseCode = "415", description = "Body is not application/json.")
    public Uni<Response> update(
            @PathParam("id") @Pattern(regexp = UUID_PATTERN, message = UUID_MESSAGE) String id,
            @Parameter(description = "Apply only if the task still has one of these ETags, or * for any")
                    @HeaderParam(HttpHeaders.IF_MATCH)
                    String ifMatch,
            @NotNull(message = "a JSON body is required") @Valid UpdateTaskRequest body,
            UriInfo uri) {
        var precondition = EntityTagHeaders.ifMatch(ifMatch);
        return service.update(request.operationId(), UUID.fromString(id), body.name, body.status, precondition)
                .map(outcome -> TaskResponses.written(outcome, uri.getPath()));
    }

    @DELETE
    @RolesAllowed(Scopes.WRITE)
    @Path("{id}")
    @Operation(summary = "Delete one task")
    @APIResponse(responseCode = "204", description = "Deleted.")
    @APIResponse(responseCode = "400", description = "Invalid id or If-Match header.")
    @APIResponse(responseCode = "404", description = "No such task.")
    @APIResponse(
            responseCode = "412",
            description = "If-Match does not match the current ETag (sent back in ETag); nothing deleted.")
    public Uni<Response> delete(
            @PathParam("id") @Pattern(regexp = UUID_PATTERN, message = UUID_MESSAGE) String id,
            @Parameter(description = "Delete only if the task still has one of these ETags, or * for any")
                    @HeaderParam(HttpHeaders.IF_MATCH)
                    String ifMatch,
            UriInfo uri) {
        var precondition = EntityTagHeaders.ifMatch(ifMatch);
        return service.delete(request.operationId(), UUID.fromString(id), precondition)
                .map(outcome -> TaskResponses.written(outcome, uri.getPath()));
    }
}
