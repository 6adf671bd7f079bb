package dev.resilient.shared.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.resilient.shared.contract.EntityTags;
import dev.resilient.shared.contract.IfMatch;
import dev.resilient.shared.contract.TaskResponse;
import dev.resilient.shared.contract.TaskSnapshot;
import dev.resilient.shared.contract.TaskStatus;
import dev.resilient.shared.contract.TaskWrite.CreateTask;
import dev.resilient.shared.contract.TaskWrite.DeleteTask;
import dev.resilient.shared.contract.TaskWrite.UpdateTask;
import dev.resilient.shared.contract.WriteOutcome;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The synchronous write that succeeds, in one SQL statement: the change and its record in {@code applied_operations},
 * made atomic by PostgreSQL (a statement is its own transaction), in one round trip instead of the five of a
 * Hibernate transaction (begin, lock, change, record, commit). This is the write nearly every request makes, so it is
 * what the API's throughput and PostgreSQL's CPU per write come down to.
 *
 * <p>Each answers the outcome, or null when the write does not apply as asked (no such task, or {@code If-Match}
 * failed): then nothing was changed or recorded, and {@link TaskWriter} takes its general path, which finds out why
 * (and records it) under a row lock. The preconditions sit in the statement's {@code WHERE}, which PostgreSQL checks
 * again on the newest row version under the row lock, so no concurrent writer slips between check and change. A
 * taken operation id (a resend whose first attempt committed) fails the statement as a unique violation, as in the
 * general path.
 */
@ApplicationScoped
class OneStatementWrites {

    private static final String COLUMNS = "id, name, status, created_at, updated_at, version";

    private static final String CREATE = "WITH created AS (INSERT INTO tasks"
            + " (id, name, status, created_at, updated_at, version, last_write_place) VALUES ($1, $2, $3, $4, $4, 1, $5)"
            + " RETURNING " + COLUMNS + "), "
            + recorded(201, "created")
            + " SELECT " + COLUMNS + " FROM created";

    /** As {@code Task.update}: null fields stay, updated_at never moves back, the place moves forward. */
    private static final String UPDATE = "WITH updated AS (UPDATE tasks SET name = COALESCE($2, name),"
            + " status = COALESCE($3, status), updated_at = GREATEST(updated_at, $4), version = version + 1,"
            + " last_write_place = GREATEST(last_write_place + 1, $5)"
            + " WHERE id = $1 AND ($8 OR version = ANY($9)) RETURNING " + COLUMNS + "), "
            + recorded(200, "updated")
            + " SELECT " + COLUMNS + " FROM updated";

    private static final String DELETE =
            "WITH deleted AS (DELETE FROM tasks WHERE id = $1 AND ($4 OR version = ANY($5))"
                    + " RETURNING id), recorded AS (INSERT INTO applied_operations (operation_id, status, applied_at)"
                    + " SELECT $2, 204, $3 FROM deleted) SELECT id FROM deleted";

    private final Pool pool;

    OneStatementWrites(Pool pool) {
        this.pool = pool;
    }

    Uni<WriteOutcome> create(UUID operationId, CreateTask create, long place, Instant appliedAt) {
        var at = timestamp(create.requestedAt());
        return pool.preparedQuery(CREATE)
                .execute(Tuple.from(new Object[] {
                    create.taskId(),
                    create.name(),
                    create.status().wireValue(),
                    at,
                    place,
                    operationId,
                    timestamp(appliedAt)
                }))
                .map(rows -> new WriteOutcome.Created(snapshot(rows.iterator().next())));
    }

    Uni<WriteOutcome> update(UUID operationId, UpdateTask update, long place, Instant appliedAt) {
        var ifMatch = update.ifMatch();
        return pool.preparedQuery(UPDATE)
                .execute(Tuple.from(new Object[] {
                    update.taskId(),
                    update.name(),
                    update.status() == null ? null : update.status().wireValue(),
                    timestamp(update.requestedAt()),
                    place,
                    operationId,
                    timestamp(appliedAt),
                    ifMatch == null || ifMatch.anyVersion(),
                    versions(ifMatch)
                }))
                .map(rows -> rows.size() == 0
                        ? null
                        : new WriteOutcome.Updated(snapshot(rows.iterator().next())));
    }

    Uni<WriteOutcome> delete(UUID operationId, DeleteTask delete, Instant appliedAt) {
        var ifMatch = delete.ifMatch();
        return pool.preparedQuery(DELETE)
                .execute(Tuple.from(new Object[] {
                    delete.taskId(),
                    operationId,
                    timestamp(appliedAt),
                    ifMatch == null || ifMatch.anyVersion(),
                    versions(ifMatch)
                }))
                .map(rows -> rows.size() == 0 ? null : new WriteOutcome.Deleted());
    }

    /** The record of the outcome, in the columns {@code AppliedOperation} keeps for a task it answers. */
    private static String recorded(int status, String from) {
        return "recorded AS (INSERT INTO applied_operations (operation_id, status, task_id, name, task_status,"
                + " created_at, updated_at, version, applied_at) SELECT $6, " + status + ", " + COLUMNS + ", $7 FROM "
                + from + ")";
    }

    /** The versions whose entity tags {@code If-Match} lists; a tag that is not one of ours matches none. */
    private static Long[] versions(IfMatch ifMatch) {
        var versions = new ArrayList<Long>();
        if (ifMatch != null) {
            for (var tag : ifMatch.entityTags()) {
                var digits = tag.length() > 2 ? tag.substring(1, tag.length() - 1) : "";
                try {
                    var version = Long.parseLong(digits);
                    if (EntityTags.of(version).equals(tag)) {
                        versions.add(version);
                    }
                } catch (NumberFormatException notOurs) {
                    // cannot be the tag of any version
                }
            }
        }
        return versions.toArray(Long[]::new);
    }

    /** Microseconds, as PostgreSQL keeps them (and as the general path truncates them). */
    private static OffsetDateTime timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    private static TaskSnapshot snapshot(Row row) {
        var task = new TaskResponse(
                row.getUUID("id"),
                row.getString("name"),
                TaskStatus.fromWireValue(row.getString("status")),
                row.getOffsetDateTime("created_at").toInstant(),
                row.getOffsetDateTime("updated_at").toInstant());
        return new TaskSnapshot(task, row.getLong("version"));
    }
}
