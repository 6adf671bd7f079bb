-- Each accepted write takes a place in one order (a number from the journal in Redis, which never goes backwards),
-- and a task keeps the place of the last write applied to it. A deferred write whose place is older is never applied
-- over it: it ends failed (superseded). The order lives here, with the task, so it holds when Redis forgets.
-- Rows written before places existed are at 0: any write with a place may follow them.
ALTER TABLE tasks ADD COLUMN last_write_place bigint NOT NULL DEFAULT 0;
