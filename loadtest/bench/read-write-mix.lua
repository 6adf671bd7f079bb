-- wrk script: a healthy mix, 80 % GET /tasks/{id} for ids picked at random from the file given after "--" (one id per
-- line) and 20 % POST /tasks, each with a new Idempotency-Key (unique per thread and per run, so never a replay).
local threads = 0
local ids = {}
-- Every request carries "Authorization: Bearer $TASKS_TOKEN" (loadtest/token-env.sh). Without the variable init()
-- stops wrk (an error at load time would only be printed, and wrk would measure 401s).
local token = os.getenv("TASKS_TOKEN")
local auth

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    if not token or token == "" then error("TASKS_TOKEN is not set: source loadtest/token-env.sh first") end
    auth = { ["Authorization"] = "Bearer " .. token }
    for line in io.lines(args[1]) do
        ids[#ids + 1] = line
    end
    math.randomseed(os.time() + thread_id)
    prefix = string.format("mix-%d-%d-", thread_id, math.random(1, 1000000000))
    sent = 0
end

function request()
    if math.random(100) <= 80 then
        return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)], auth)
    end
    sent = sent + 1
    return wrk.format("POST", "/tasks", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = prefix .. sent,
    }, '{"name":"benchmark task"}')
end
