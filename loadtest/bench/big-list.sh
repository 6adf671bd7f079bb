#!/usr/bin/env bash
# Benchmark: the task list with a large table (TASKS, default 300 000, inserted straight into PostgreSQL), every
# dependency healthy. On a fresh api-service it measures:
#   1. pages: the first 30 pages of the default size (following each Link), 10 pages of 1 000, and a page from the
#      middle of the table (a cursor made from the 150 000th task, the way the API makes them): time per page;
#   2. reads while lists run: wrk GET /tasks/{id} (random existing ids, 20 connections, SECONDS) alone, then while 4
#      clients walk the whole list page after page: p50 and p99 of the reads;
#   3. DELETE /tasks on the full table: how long it takes to answer, and a read's latency meanwhile.
# What must hold (issue 18): each page within 100 ms, GET /tasks/{id} unaffected while lists run.
#
# Usage: loadtest/bench/big-list.sh [SECONDS]   (default 30; needs wrk). Appends to loadtest/results/big-list.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_RUN=${1:-30}
TASKS=${TASKS:-300000}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/big-list.md}
WORK=$(mktemp -d)
source loadtest/bench/bench-lib.sh
sql() { psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d tasks_bench -qtAc "$1"; }
# a page answered other than 2xx (a 401 is fast) stops the bench rather than count as a page
page_time() { curl -sSf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TASKS_TOKEN" "localhost:$API_PORT$1"; }
next_of() { curl -s -D - -o /dev/null -H "Authorization: Bearer $TASKS_TOKEN" "localhost:$API_PORT$1" | sed -nE 's/^[Ll]ink: <([^>]+)>.*/\1/p' | tr -d '\r'; }
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "median %.1f ms, max %.1f ms (%d pages)", v[int((NR + 1) / 2)] * 1000, v[NR] * 1000, NR }'; }

# The table is filled first, as a service (re)started on a large table finds it: its warm-up lists pages of it.
# (A first start on a new database creates the schema.)
sql "SELECT 1 FROM tasks LIMIT 1" > /dev/null 2>&1 || { start_services 0 && stop_services; }
sql "TRUNCATE tasks, applied_operations"
sql "INSERT INTO tasks (id, name, status, created_at, updated_at, version)
     SELECT gen_random_uuid(), 'big-' || n, 'pending', timestamp '2026-01-01' + n * interval '1 millisecond',
            timestamp '2026-01-01', 1 FROM generate_series(1, $TASKS) n"
sql "ANALYZE tasks"
KEEP_TABLE=1 start_services 1
sql "SELECT id FROM tasks ORDER BY random() LIMIT 5000" > "$WORK/ids"

# 1. Pages.
path=/tasks
for _ in $(seq 1 30); do page_time "$path" >> "$WORK/pages-100"; echo >> "$WORK/pages-100"; path=$(next_of "$path"); done
path="/tasks?limit=1000"
for _ in $(seq 1 10); do page_time "$path" >> "$WORK/pages-1000"; echo >> "$WORK/pages-1000"; path=$(next_of "$path"); done
middle=$(sql "SELECT (extract(epoch from created_at) * 1000000)::bigint || ':' || id FROM tasks
              ORDER BY created_at, id OFFSET $((TASKS / 2)) LIMIT 1")
cursor=$(printf '1:1:%s' "$middle" | base64 -w0 | tr '+/' '-_' | tr -d '=')
for _ in $(seq 1 10); do page_time "/tasks?after=$cursor" >> "$WORK/pages-middle"; echo >> "$WORK/pages-middle"; done

# 2. Reads alone, then while 4 clients walk the list.
wrk -t2 -c20 -d"${SECONDS_PER_RUN}s" --latency -s loadtest/bench/get-random-task.lua "http://127.0.0.1:$API_PORT" \
    -- "$WORK/ids" > "$WORK/reads-alone.txt"
walkers=()
for _ in 1 2 3 4; do
    ( while :; do p=/tasks; while [[ -n $p ]]; do p=$(next_of "$p"); done; done ) > /dev/null 2>&1 &
    walkers+=($!)
done
wrk -t2 -c20 -d"${SECONDS_PER_RUN}s" --latency -s loadtest/bench/get-random-task.lua "http://127.0.0.1:$API_PORT" \
    -- "$WORK/ids" > "$WORK/reads-with-lists.txt"
kill "${walkers[@]}" 2> /dev/null || true
wait "${walkers[@]}" 2> /dev/null || true
latency() { awk '/Latency Distribution/ { on = 1 } on && /50%/ { p50 = $2 } on && /99%/ { p99 = $2 } /Requests\/sec/ { r = $2 }
    /Non-2xx/ { bad = $5 } END { printf "%s req/s, p50 %s, p99 %s, %d not 2xx", r, p50, p99, bad }' "$1"; }

# 3. DELETE /tasks on the full table, a read probed every 100 ms meanwhile.
probe_id=$(head -1 "$WORK/ids")
( while :; do curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TASKS_TOKEN" \
    "localhost:$API_PORT/tasks/$probe_id"; sleep 0.1; done ) \
    > "$WORK/probes" 2>&1 &
prober=$!
delete=$(curl -s -o "$WORK/delete-body" -w '%{http_code} %{time_total}' -X DELETE -H "Idempotency-Key: big-list-$(date +%s%N)" \
    -H "Authorization: Bearer $TASKS_TOKEN" "localhost:$API_PORT/tasks")
sleep 1
kill "$prober" 2> /dev/null || true
wait "$prober" 2> /dev/null || true
left=$(sql "SELECT count(*) FROM tasks")
stop_services

{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD)), $TASKS tasks"
    echo
    echo "\`loadtest/bench/big-list.sh $SECONDS_PER_RUN\` on $(hostname) ($(nproc) cores)"
    echo
    echo "- pages of 100, the first 30: $(stats < "$WORK/pages-100")"
    echo "- pages of 1 000, the first 10: $(stats < "$WORK/pages-1000")"
    echo "- a page of 100 from the middle of the table, 10 times: $(stats < "$WORK/pages-middle")"
    echo "- GET /tasks/{id}, 20 connections, alone: $(latency "$WORK/reads-alone.txt")"
    echo "- GET /tasks/{id}, 20 connections, while 4 clients walk the whole list: $(latency "$WORK/reads-with-lists.txt")"
    echo "- DELETE /tasks of $TASKS tasks: answered ${delete%% *} after ${delete##* } s ($left tasks left);" \
        "reads meanwhile: $(awk '{ n++; if ($2 > m) m = $2; c[$1]++ } END { printf "%d probes, slowest %.0f ms, statuses:", n, m * 1000; for (s in c) printf " %s=%d", s, c[s] }' "$WORK/probes")"
} | tee -a "$OUT"
