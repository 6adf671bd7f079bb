-- mix.lua -- wrk script: CRUD traffic mix against a "/tasks" HTTP API.
--
--   POST   /tasks        15%  (only while the virtual user holds < 25 ids, else GET)
--   GET    /tasks/{id}   50%
--   PUT    /tasks/{id}   20%
--   DELETE /tasks/{id}   15%  (the id is dropped from the list)
--
-- Every non-GET request carries one fresh random UUID (v4) in BOTH
-- "Idempotency-Key" and "X-Idempotency-Key". Task ids are parsed from the
-- JSON ("id") of 200/201 POST responses. done() prints counts by status.
--
-- wrk's Lua API has no handle on the connection a request goes out on, so a
-- "connection" is emulated by a virtual user (VU): each thread keeps as many
-- VUs as it has connections (grows to the peak number of requests in flight)
-- and serves them round-robin; each VU owns its own list of <= 25 ids.
-- Safety: an id is removed from its list when its DELETE is sent, and a DELETE
-- never targets an id that still has a GET/PUT in flight, so a correct server
-- should produce no 404s.
--
-- Usage: wrk -t2 -c100 -d60s --latency -s loadtest/bench/mix.lua http://127.0.0.1:8080
-- TASKS_TOKEN=<jwt> in the environment (loadtest/token-env.sh) is required: every request carries
-- "Authorization: Bearer <jwt>"; without it init() stops wrk (an error at load time would only be printed, and wrk
-- would measure 401s).
-- A path in the URL is used as prefix (http://h:p/api -> /api/tasks).

local LIMIT = 25          -- ids per virtual user
local STALE_S = 10        -- forget in-flight markers older than this (lost responses)

-- ---------------------------------------------------------------- main state
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- ------------------------------------------------------------- thread state
local base, vus, nvu, rr, seq, inflight
local owner, busy
statuses, ops = {}, {}     -- globals: read back by done() via thread:get()

local TOKEN = os.getenv("TASKS_TOKEN")

function init(args)
  if not TOKEN or TOKEN == "" then error("TASKS_TOKEN is not set: source loadtest/token-env.sh first") end
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  for _ = 1, 10 do math.random() end
  base = (wrk.path or "/"):gsub("/+$", "")
  vus, nvu, rr, seq, inflight = {}, 0, 0, 0, 0
  owner = {}   -- id -> vu index (ids alive and owned by this thread)
  busy = {}    -- id -> { n = in-flight GET/PUT count, t = last send time }
end

local function uuid()
  local r = math.random
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x",
    r(0, 0xffff), r(0, 0xffff), r(0, 0xffff), r(0, 0xfff),
    r(0, 0x3fff) + 0x8000, r(0, 0xffff), r(0, 0xffff), r(0, 0xffff))
end

local function read_headers()
  return { ["Authorization"] = "Bearer " .. TOKEN }
end

local function write_headers(with_body)
  local key = uuid()
  local h = read_headers()
  h["Idempotency-Key"] = key
  h["X-Idempotency-Key"] = key
  if with_body then h["Content-Type"] = "application/json" end
  return h
end

local function count(tbl, k) tbl[k] = (tbl[k] or 0) + 1 end

local function is_busy(id, now)
  local b = busy[id]
  return b ~= nil and b.n > 0 and now - b.t < STALE_S
end

local function mark_busy(id, now)
  local b = busy[id]
  if b and now - b.t < STALE_S then b.n = b.n + 1; b.t = now
  else busy[id] = { n = 1, t = now } end
end

local function pending_count(vu, now)
  local n = 0
  for k, t in pairs(vu.pending) do
    if now - t >= STALE_S then vu.pending[k] = nil else n = n + 1 end
  end
  return n
end

local function do_post(vi, vu, now)
  seq = seq + 1
  vu.pending[seq] = now
  count(ops, "POST")
  local body = string.format('{"name":"wrk-%d-%d-%d"}', tid or 0, vi, seq)
  return wrk.format("POST", base .. "/tasks", write_headers(true), body)
end

local function do_get(id, now)
  mark_busy(id, now)
  count(ops, "GET")
  return wrk.format("GET", base .. "/tasks/" .. id, read_headers())
end

function request()
  local now = os.time()
  inflight = inflight + 1
  if inflight > nvu then
    nvu = inflight
    vus[nvu] = vus[nvu] or { ids = {}, pending = {} }
  end
  rr = rr % nvu + 1
  local vi, vu = rr, vus[rr]
  local ids = vu.ids
  local n = #ids
  local roll = math.random(100)

  if n == 0 then
    return do_post(vi, vu, now)                 -- nothing to read yet
  elseif roll <= 15 then                        -- POST 15%
    if n + pending_count(vu, now) < LIMIT then return do_post(vi, vu, now) end
    return do_get(ids[math.random(n)], now)     -- list full: GET instead
  elseif roll <= 65 then                        -- GET 50%
    return do_get(ids[math.random(n)], now)
  elseif roll <= 85 then                        -- PUT 20%
    local id = ids[math.random(n)]
    mark_busy(id, now)
    count(ops, "PUT")
    local body = string.format('{"name":"upd-%d-%d"}', tid or 0, seq)
    return wrk.format("PUT", base .. "/tasks/" .. id, write_headers(true), body)
  else                                          -- DELETE 15%
    local start = math.random(n)
    for k = 0, n - 1 do
      local i = (start + k - 1) % n + 1
      local id = ids[i]
      if not is_busy(id, now) then
        ids[i] = ids[n]; ids[n] = nil           -- drop it now
        owner[id], busy[id] = nil, nil
        count(ops, "DELETE")
        return wrk.format("DELETE", base .. "/tasks/" .. id, write_headers(false))
      end
    end
    return do_get(ids[start], now)              -- every id busy: GET instead
  end
end

function response(status, headers, body)
  if inflight > 0 then inflight = inflight - 1 end
  count(statuses, status)
  if (status ~= 200 and status ~= 201) or not body then return end
  local id = body:match('"id"%s*:%s*"([^"]+)"')
  if not id then return end
  if owner[id] then                             -- GET/PUT of a known id
    local b = busy[id]
    if b and b.n > 0 then b.n = b.n - 1 end
    return
  end
  local t, v, s = body:match('"name"%s*:%s*"wrk%-(%d+)%-(%d+)%-(%d+)"')
  t, v, s = tonumber(t), tonumber(v), tonumber(s)
  if t == (tid or 0) and vus[v] then            -- our POST: keep the new id
    local vu = vus[v]
    vu.pending[s] = nil
    if #vu.ids < LIMIT then
      vu.ids[#vu.ids + 1] = id
      owner[id] = v
    end
  end
end

-- --------------------------------------------------------------- main state
function done(summary, latency, requests)
  local st, op = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do st[k] = (st[k] or 0) + v end
    for k, v in pairs(t:get("ops") or {}) do op[k] = (op[k] or 0) + v end
  end
  local codes, total, non2xx = {}, 0, 0
  for k, v in pairs(st) do
    codes[#codes + 1] = k
    total = total + v
    if k < 200 or k > 299 then non2xx = non2xx + v end
  end
  table.sort(codes)
  io.write("---- mix.lua summary ----\n")
  local secs = summary.duration / 1e6
  io.write(string.format("requests %d in %.1fs = %.1f req/s; p50 %.2fms p90 %.2fms p99 %.2fms\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3))
  local e = summary.errors
  io.write(string.format("socket errors: connect %d read %d write %d timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
  local line = {}
  for _, k in ipairs(codes) do line[#line + 1] = string.format("%d=%d", k, st[k]) end
  io.write("status counts: " .. table.concat(line, " ") .. "\n")
  io.write(string.format("non-2xx: %d of %d responses\n", non2xx, total))
  local sent = 0
  for _, v in pairs(op) do sent = sent + v end
  line = {}
  for _, k in ipairs({ "POST", "GET", "PUT", "DELETE" }) do
    local v = op[k] or 0
    line[#line + 1] = string.format("%s=%d (%.1f%%)", k, v, sent > 0 and 100 * v / sent or 0)
  end
  io.write("sent mix: " .. table.concat(line, " ") .. "\n")
  -- An answer refused for its token is no answer of the mix: the run must not count as one.
  local refused = (st[401] or 0) + (st[403] or 0)
  if refused > 0 then
    io.stderr:write(string.format("mix.lua: %d answers were 401/403: TASKS_TOKEN was not accepted\n", refused))
    os.exit(1)
  end
end
