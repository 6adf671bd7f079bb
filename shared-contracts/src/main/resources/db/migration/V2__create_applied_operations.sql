-- Deferred writes applied so far, each recorded in the same transaction as its change to tasks: a redelivered or
-- duplicated message finds its operation here, changes nothing, and answers the outcome recorded the first time.
-- The outcome is kept column by column (the task as it was answered, or the status of a business failure), so it
-- can be rebuilt exactly without a JSON format of its own.
CREATE TABLE applied_operations (
    operation_id  uuid        PRIMARY KEY,
    status        smallint    NOT NULL,  -- the HTTP status the synchronous call would have answered
    task_id       uuid,                  -- null for delete-all
    name          text,                  -- the task as answered (201, 200) or as found (412); null otherwise
    task_status   text,
    created_at    timestamptz,
    updated_at    timestamptz,
    version       bigint,
    applied_at    timestamptz NOT NULL
);

-- Housekeeping deletes old rows by age; the operation state in Redis outlives the retry schedule, not this table.
CREATE INDEX applied_operations_applied_at_idx ON applied_operations (applied_at);
