-- wrk script: POST /tasks with a new Idempotency-Key on every request, as a well-behaved client sends a new logical
-- write. Keys are unique per thread and per run, so no request is ever a replay.
local threads = 0

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    math.randomseed(os.time() + thread_id)
    prefix = string.format("bench-%d-%d-", thread_id, math.random(1, 1000000000))
    sent = 0
end

function request()
    sent = sent + 1
    return wrk.format("POST", "/tasks", {
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = prefix .. sent,
    }, '{"name":"benchmark task"}')
end
