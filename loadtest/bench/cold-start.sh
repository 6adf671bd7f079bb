#!/usr/bin/env bash
# Benchmark: a just-started api-service under the article's load, every dependency healthy. Each round starts
# api-service and write-worker afresh, waits until api-service reports ready (the moment a load balancer or Kubernetes
# sends it traffic), then runs wrk with the article's mix (loadtest/bench/mix.lua) at once: CONNECTIONS (100) for
# SECONDS (60). It reports the time from start to ready, req/s and p99, the answers by status (any 202 or 503 means
# the service took its own load for a dependency failing) and the breaker transitions during the run.
#
# Usage: loadtest/bench/cold-start.sh [ROUNDS] [SECONDS]   (defaults 3 and 60; needs wrk)
#   API_ENV="TASKS_API_WARM_UP_ENABLED=false" loadtest/bench/cold-start.sh   starts api-service with extra settings
# Stop anything on :8090 and :8091 first. Appends to loadtest/results/cold-start.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-60}
CONNECTIONS=${CONNECTIONS:-100}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/cold-start.md}
read -r -a API_ENV <<< "${API_ENV:-}"
DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432}
export PGPASSWORD=${DB_PASSWORD:-tasks}
DB_USER=${DB_USER:-tasks}
# Queues, journal, cache and idempotency records of their own: nothing left by another run is in the way.
SETTINGS=(DB_NAME=tasks_bench TASKS_MESSAGING_PREFIX=tasks-cold-start.writes
    TASKS_JOURNAL_KEY_PREFIX=tasks-cold-start:operations: TASKS_CACHE_KEY_PREFIX=tasks-cold-start:cache:
    TASKS_IDEMPOTENCY_KEY_PREFIX=tasks-cold-start:idempotency: TASKS_REDIS_INCARNATION_KEY=tasks-cold-start:incarnation)
WORK=$(mktemp -d)

command -v wrk > /dev/null || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
make --no-print-directory deps build > /dev/null
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc "select 1 from pg_database where datname = 'tasks_bench'" \
    | grep -q 1 || createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" tasks_bench

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

transitions() { # the sum of api-service's breaker transitions, by breaker: "postgres-write=3 ..."
    curl -sf "localhost:$API_PORT/q/metrics" | awk -F'[{}]' '/^tasks_breaker_transitions_total/ {
        match($2, /dependency="[^"]*"/); d = substr($2, RSTART + 12, RLENGTH - 13); split($3, v, " "); n[d] += v[2] }
        END { for (d in n) printf "%s=%d ", d, n[d] }'
}

{
    echo
    echo "## Cold start under load, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD))"
    echo
    echo "\`loadtest/bench/cold-start.sh $ROUNDS $SECONDS_PER_RUN\` (CONNECTIONS=$CONNECTIONS${API_ENV[*]:+, api-service with ${API_ENV[*]}}) on $(hostname) ($(nproc) cores)"
    echo
    echo "| round | start to ready | req/s | p99 ms | answers by status | breaker transitions |"
    echo "|--:|--:|--:|--:|---|---|"
} >> "$OUT"

for round in $(seq 1 "$ROUNDS"); do
    psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d tasks_bench -qc 'TRUNCATE tasks, applied_operations' 2> /dev/null || true
    started=$(date +%s%N)
    env "${SETTINGS[@]}" "${API_ENV[@]}" QUARKUS_HTTP_PORT=$API_PORT \
        java -jar api-service/target/quarkus-app/quarkus-run.jar > "$WORK/api-$round.log" 2>&1 &
    pids+=($!)
    api_pid=$!
    env "${SETTINGS[@]}" QUARKUS_HTTP_PORT=$WORKER_PORT \
        java -jar write-worker/target/quarkus-app/quarkus-run.jar > "$WORK/worker-$round.log" 2>&1 &
    pids+=($!)
    worker_pid=$!
    ready=""
    for _ in $(seq 1 1200); do
        if curl -sf -o /dev/null "localhost:$API_PORT/q/health/ready"; then ready=$(date +%s%N); break; fi
        sleep 0.1
    done
    [[ -n $ready ]] || { echo "api-service not ready within 120 s (log: $WORK/api-$round.log)" >&2; exit 1; }
    before=$(transitions)
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s -s loadtest/bench/mix.lua \
        "http://127.0.0.1:$API_PORT" > "$WORK/wrk-$round.txt"
    after=$(transitions)
    rate=$(grep -oE '= [0-9.]+ req/s' "$WORK/wrk-$round.txt" | grep -oE '[0-9.]+' | head -1)
    p99=$(sed -nE 's/.* p99 ([0-9.]+)ms.*/\1/p' "$WORK/wrk-$round.txt" | head -1)
    statuses=$(sed -n 's/^status counts: //p' "$WORK/wrk-$round.txt")
    errors=$(sed -n 's/^socket errors: //p' "$WORK/wrk-$round.txt")
    changed=$(join -t= -a2 -e0 -o 0,1.2,2.2 <(tr ' ' '\n' <<< "$before" | grep . | sort) \
        <(tr ' ' '\n' <<< "$after" | grep . | sort) | awk -F= '$3 - $2 > 0 { printf "%s %d, ", $1, $3 - $2 }')
    line="| $round | $(( (ready - started) / 1000000 )) ms | ${rate%.*} | ${p99%.*} | $statuses (socket errors: $errors) | ${changed%, }${changed:+}$( [[ -z $changed ]] && echo none) |"
    echo "$line" | tee -a "$OUT"
    kill "$api_pid" "$worker_pid" 2> /dev/null || true
    wait "$api_pid" "$worker_pid" 2> /dev/null || true
done
