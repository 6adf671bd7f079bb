-- wrk script: one request kind of the article's mix alone, for a per-kind cost table (loadtest/bench/kinds.sh).
-- The kind is the first argument after "--": GET, PUT, DELETE (on ids from the file given second, one per line) or
-- POST. Writes carry a fresh Idempotency-Key each, as a well-behaved client sends a new logical write; a DELETE takes
-- each id once (thread i of n takes ids i, i+n, ...), so the file needs more ids than the run sends deletes.
-- Usage: wrk -t2 -c100 -d30s -s loadtest/bench/kind.lua http://127.0.0.1:8090 -- PUT ids.txt
local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("tid", #threads)
end

function init(args)
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
        return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)])
    elseif kind == "POST" then
        return wrk.format("POST", "/tasks",
            { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, '{"name":"kind bench"}')
    elseif kind == "PUT" then
        return wrk.format("PUT", "/tasks/" .. ids[math.random(#ids)],
            { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, '{"name":"kind bench ' .. sent .. '"}')
    else
        local id = ids[next_id]
        next_id = next_id + 2 -- two threads (wrk -t2) take turns
        return wrk.format("DELETE", "/tasks/" .. (id or "00000000-0000-4000-8000-000000000000"),
            { ["Idempotency-Key"] = key })
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
end
