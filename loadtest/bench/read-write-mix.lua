-- wrk script: a healthy mix, 80 % GET /tasks/{id} for ids picked at random from the file given after "--" (one id per
-- line) and 20 % POST /tasks, each with a new Idempotency-Key (unique per thread and per run, so never a replay).
local threads = 0
local ids = {}

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
end

function init(args)
    for line in io.lines(args[1]) do
        ids[#ids + 1] = line
    end
    math.randomseed(os.time() + thread_id)
    prefix = string.format("mix-%d-%d-", thread_id, math.random(1, 1000000000))
    sent = 0
end

function request()
    if math.random(100) <= 80 then
        return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)])
    end
    sent = sent + 1
    return wrk.format("POST", "/tasks", {
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = prefix .. sent,
    }, '{"name":"benchmark task"}')
end
