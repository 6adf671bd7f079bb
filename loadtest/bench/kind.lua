-- wrk script: one request kind of the article's mix alone, for a per-kind cost table (loadtest/bench/kinds.sh).
-- The kind is the first argument after "--": GET, PUT, DELETE (on ids from the file given second, one per line) or
-- POST. Writes carry a fresh Idempotency-Key each, as a well-behaved client sends a new logical write; a DELETE takes
-- each id once (thread i of n takes ids i, i+n, ...), so the file needs more ids than the run sends deletes.
-- Usage: wrk -t2 -c100 -d30s -s loadtest/bench/kind.lua http://127.0.0.1:8090 -- PUT ids.txt
local threads = {}
-- Every request carries "Authorization: Bearer $TASKS_TOKEN" (loadtest/token-env.sh). Without the variable init()
-- stops wrk (an error at load time would only be printed, and wrk would measure 401s).
local token = os.getenv("TASKS_TOKEN")
local bearer, get_headers

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

function init(args)
    if not token or token == "" then error("TASKS_TOKEN is not set: source loadtest/token-env.sh first") end
    bearer = "Bearer " .. token
    get_headers = { ["Authorization"] = bearer }
    kind = args[1]
    ids = {}
    if kind ~= "POST" then
        for line in io.lines(args[2]) do
            ids[#ids + 1] = line
        end
    end
    math.randomseed(os.time() * 1000 + tid)
    prefix = string.format("kind-%d-%d-", tid, math.random(1, 1000000000))
    sent, next_id = 0, tid
    statuses = {}
end

local json = { ["Content-Type"] = "application/json" }

function request()
    sent = sent + 1
    local key = prefix .. sent
    if kind == "GET" then
        return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)], get_headers)
    elseif kind == "POST" then
        return wrk.format("POST", "/tasks",
            { ["Authorization"] = bearer, ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, '{"name":"kind bench"}')
    elseif kind == "PUT" then
        return wrk.format("PUT", "/tasks/" .. ids[math.random(#ids)],
            { ["Authorization"] = bearer, ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, '{"name":"kind bench ' .. sent .. '"}')
    else
        local id = ids[next_id]
        next_id = next_id + 2 -- two threads (wrk -t2) take turns
        return wrk.format("DELETE", "/tasks/" .. (id or "00000000-0000-4000-8000-000000000000"),
            { ["Authorization"] = bearer, ["Idempotency-Key"] = key })
    end
end

function response(status)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency)
    local st = {}
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("statuses") or {}) do st[k] = (st[k] or 0) + v end
    end
    local secs = summary.duration / 1e6
    io.write(string.format("requests %d in %.1fs = %.1f req/s; p50 %.2fms p90 %.2fms p99 %.2fms\n",
        summary.requests, secs, summary.requests / secs,
        latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3))
    local line = {}
    for k, v in pairs(st) do line[#line + 1] = string.format("%d=%d", k, v) end
    table.sort(line)
    io.write("status counts: " .. table.concat(line, " ") .. "\n")
    local e = summary.errors
    io.write(string.format("socket errors: connect %d read %d write %d timeout %d\n",
        e.connect, e.read, e.write, e.timeout))
    -- An answer refused for its token is no answer of the kind: the run must not count as one.
    local refused = (st[401] or 0) + (st[403] or 0)
    if refused > 0 then
        io.stderr:write(string.format("kind.lua: %d answers were 401/403: TASKS_TOKEN was not accepted\n", refused))
        os.exit(1)
    end
end
