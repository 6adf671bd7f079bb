-- Tasks: the source of truth. The constraints repeat the API's validation so that no path can store what the API
-- would reject.
CREATE TABLE tasks (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    status      text        NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0)
);

-- GET /tasks lists oldest first.
CREATE INDEX tasks_created_at_id_idx ON tasks (created_at, id);
