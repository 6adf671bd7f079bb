#!/usr/bin/env bash
# Benchmark: the latency the Idempotency-Key layer adds to POST /tasks at 50 concurrent clients.
#
# Runs the same api-service build with tasks.idempotency.enabled=true and =false (a benchmarking aid only),
# alternating ROUNDS times so that the noise of this shared machine falls on both alike, and prints the median of each
# figure. wrk runs on the same machine as the service, PostgreSQL and Redis, so absolute numbers are lower than on
# separate hosts; the difference between the two is what this measures.
#
# Usage: loadtest/bench/idempotency.sh [ROUNDS] [SECONDS]   (defaults 5 and 20; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
# the local stack's passwords (config/local.env): the production profile has no defaults for them
source scripts/local-env.sh
# TASKS_TOKEN, the bearer token wrk and curl send to the API
source loadtest/token-env.sh

ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-20}
CONNECTIONS=50
PORT=${BENCH_PORT:-8090}
MANAGEMENT_PORT=$((PORT + 1100))
export DB_NAME=tasks_bench
JAR=api-service/target/quarkus-app/quarkus-run.jar
OUT=loadtest/results/idempotency-bench.md

command -v wrk > /dev/null || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
make --no-print-directory deps build > /dev/null
PGPASSWORD=${DB_PASSWORD:-tasks} psql -h "${DB_HOST:-127.0.0.1}" -U "${DB_USER:-tasks}" -d postgres -tAc \
    "select 1 from pg_database where datname = 'tasks_bench'" | grep -q 1 \
    || PGPASSWORD=${DB_PASSWORD:-tasks} createdb -h "${DB_HOST:-127.0.0.1}" -U "${DB_USER:-tasks}" tasks_bench

api_pid=""
stop_api() { [ -n "$api_pid" ] && kill "$api_pid" 2> /dev/null && wait "$api_pid" 2> /dev/null; api_pid=""; }
trap stop_api EXIT

run_once() { # $1 = true|false; prints "req/s p50 p90 p99" (latencies in ms)
    PGPASSWORD=${DB_PASSWORD:-tasks} psql -h "${DB_HOST:-127.0.0.1}" -U "${DB_USER:-tasks}" -d tasks_bench -qc \
        "delete from tasks" 2> /dev/null || true
    TASKS_IDEMPOTENCY_ENABLED=$1 QUARKUS_HTTP_PORT=$PORT QUARKUS_MANAGEMENT_PORT=$MANAGEMENT_PORT java @api-service/jvm.options -jar "$JAR" > "/tmp/bench-api-$1.log" 2>&1 &
    api_pid=$!
    for _ in $(seq 1 60); do curl -sf "localhost:$MANAGEMENT_PORT/q/health/live" > /dev/null && break; sleep 0.5; done
    # Warm-up: JIT, connection pools.
    wrk -t2 -c$CONNECTIONS -d10s -s loadtest/bench/post-with-fresh-key.lua "http://localhost:$PORT" > /dev/null
    wrk -t2 -c$CONNECTIONS -d"${SECONDS_PER_RUN}s" --latency -s loadtest/bench/post-with-fresh-key.lua \
        "http://localhost:$PORT" > "/tmp/bench-wrk-$1.txt"
    stop_api
    if grep -q "Non-2xx" "/tmp/bench-wrk-$1.txt"; then
        echo "non-2xx responses with idempotency=$1:" >&2; cat "/tmp/bench-wrk-$1.txt" >&2; exit 1
    fi
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f %.2f %.2f\n", rps, p50, p90, p99 }' "/tmp/bench-wrk-$1.txt"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A results=([true]="" [false]="")
for round in $(seq 1 "$ROUNDS"); do
    for mode in true false; do
        line=$(run_once "$mode")
        echo "round $round idempotency=$mode: $line (req/s p50 p90 p99 ms)"
        results[$mode]+="$line"$'\n'
    done
done

row() { # $1 mode, $2 label
    local data=${results[$1]}
    printf '| %s | %s | %s | %s | %s |\n' "$2" \
        "$(cut -d' ' -f1 <<< "$data" | grep . | median)" "$(cut -d' ' -f2 <<< "$data" | grep . | median)" \
        "$(cut -d' ' -f3 <<< "$data" | grep . | median)" "$(cut -d' ' -f4 <<< "$data" | grep . | median)"
}

{
    echo "# Idempotency layer: cost on POST /tasks"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, build of $(git describe --always --dirty)."
    echo "Command: \`loadtest/bench/idempotency.sh $ROUNDS $SECONDS_PER_RUN\` (wrk, $CONNECTIONS connections, 2 threads,"
    echo "${SECONDS_PER_RUN} s per run after a 10 s warm-up; every request a new task with a new key; medians of $ROUNDS"
    echo "alternating runs; wrk, api-service, PostgreSQL and Redis all share the machine's 2 cores)."
    echo
    echo "| idempotency | req/s | p50 ms | p90 ms | p99 ms |"
    echo "|---|---|---|---|---|"
    row true "on (default)"
    row false "off (benchmarking aid)"
    echo
    echo "Raw runs (req/s p50 p90 p99):"
    echo
    echo '```'
    echo "on:"
    printf '%s' "${results[true]}"
    echo "off:"
    printf '%s' "${results[false]}"
    echo '```'
} > "$OUT"
cat "$OUT"
