-- wrk script: POST /tasks with a new Idempotency-Key on every request, as a well-behaved client sends a new logical
-- write. Keys are unique per thread and per run, so no request is ever a replay.
local threads = 0
-- Every request carries "Authorization: Bearer $TASKS_TOKEN" (loadtest/token-env.sh). Without the variable init()
-- stops wrk (an error at load time would only be printed, and wrk would measure 401s).
local token = os.getenv("TASKS_TOKEN")

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    if not token or token == "" then error("TASKS_TOKEN is not set: source loadtest/token-env.sh first") end
    math.randomseed(os.time() + thread_id)
    prefix = string.format("bench-%d-%d-", thread_id, math.random(1, 1000000000))
    sent = 0
end

function request()
    sent = sent + 1
    return wrk.format("POST", "/tasks", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = prefix .. sent,
    }, '{"name":"benchmark task"}')
end
