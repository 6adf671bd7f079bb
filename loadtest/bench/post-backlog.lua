-- wrk script: POST /tasks with a fresh Idempotency-Key, each thread stopping after its share of the backlog
-- (wrk ... -- TOTAL), counting only the 202s. A request may be in flight on every connection when a thread stops, so a few more than TOTAL
-- can be sent; the drain benchmark counts what the API actually deferred.
local threads = 0
-- Every request carries "Authorization: Bearer $TASKS_TOKEN" (loadtest/token-env.sh). Without the variable init()
-- stops wrk (an error at load time would only be printed, and wrk would measure 401s).
local token = os.getenv("TASKS_TOKEN")

function setup(thread)
    thread:set("thread_id", threads)
    threads = threads + 1
    thread:set("threads", threads)
end

function init(args)
    if not token or token == "" then error("TASKS_TOKEN is not set: source loadtest/token-env.sh first") end
    math.randomseed(os.time() + thread_id)
    prefix = string.format("backlog-%d-%d-", thread_id, math.random(1, 1000000000))
    limit = math.ceil(tonumber(args[1] or "10000") / 2)
    sent = 0
    done = 0
end

function request()
    sent = sent + 1
    return wrk.format("POST", "/tasks", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = prefix .. sent,
    }, string.format('{"name":"backlog %d %d"}', thread_id, sent))
end

function response(status, headers, body)
    if status ~= 202 then
        return -- a 503 (a breaker tripped by the burst on a cold API) is simply not part of the backlog
    end
    done = done + 1
    if done >= limit then
        wrk.thread:stop()
    end
end
