#!/usr/bin/env bash
# Benchmark: GET /tasks/{id} at 50 concurrent clients, healthy, with PostgreSQL unreachable (answers from the Redis
# fallback cache), and with PostgreSQL and Redis both unreachable (fast 503s).
#
# "Unreachable" is a service pointed at a port where nothing listens, which is what a stopped PostgreSQL or Redis
# looks like to a client, while the real ones keep running for everything else on this machine. The tasks are
# created (and so cached) through a healthy instance first; each scenario then runs its own instance, ROUNDS times,
# scenarios interleaved, and the medians are reported. wrk shares the 2 cores with the service, PostgreSQL and Redis,
# and measures at the client (loopback and wrk's own scheduling included), so the server's share is lower still.
#
# Usage: loadtest/bench/degraded-reads.sh [ROUNDS] [SECONDS]   (defaults 3 and 20; needs wrk)
#   CONNECTIONS=10 SCENARIOS="all-down" OUT=loadtest/results/x.md loadtest/bench/degraded-reads.sh   runs a subset
set -euo pipefail
cd "$(dirname "$0")/../.."
# the local stack's passwords (config/local.env): the production profile has no defaults for them
source scripts/local-env.sh
# TASKS_TOKEN, the bearer token wrk and curl send to the API
source loadtest/token-env.sh

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-20}
CONNECTIONS=${CONNECTIONS:-50}
SCENARIOS=${SCENARIOS:-healthy postgres-down all-down}
TASKS=500
API_PORT=8090 API_MANAGEMENT_PORT=9190
DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}
export PGPASSWORD=${DB_PASSWORD:-tasks}
DB_USER=${DB_USER:-tasks}
OUT=${OUT:-loadtest/results/degraded-reads-bench.md}
WORK=$(mktemp -d)

command -v wrk > /dev/null || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
make --no-print-directory deps build > /dev/null
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc "select 1 from pg_database where datname = 'tasks_bench'" \
    | grep -q 1 || createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" tasks_bench

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

api_pid=""
start_api() { # $1 scenario
    local reactive="postgresql://$DB_HOST:$DB_PORT/tasks_bench" redis="redis://$REDIS_HOST:$REDIS_PORT"
    case $1 in
        postgres-down) reactive="postgresql://127.0.0.1:1/tasks_bench" ;;
        all-down) reactive="postgresql://127.0.0.1:1/tasks_bench" redis="redis://127.0.0.1:1" ;;
    esac
    QUARKUS_HTTP_PORT=$API_PORT QUARKUS_MANAGEMENT_PORT=$API_MANAGEMENT_PORT QUARKUS_DATASOURCE_REACTIVE_URL=$reactive \
        QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$DB_HOST:$DB_PORT/tasks_bench" QUARKUS_REDIS_HOSTS=$redis \
        TASKS_CACHE_KEY_PREFIX=tasks-bench:cache: TASKS_IDEMPOTENCY_KEY_PREFIX=tasks-bench:idempotency: \
        java @api-service/jvm.options -jar api-service/target/quarkus-app/quarkus-run.jar > "$WORK/api-$1.log" 2>&1 &
    api_pid=$!
    pids+=("$api_pid")
    for _ in $(seq 1 60); do curl -sf "localhost:$API_MANAGEMENT_PORT/q/health/live" > /dev/null && return; sleep 0.5; done
    echo "api-service did not start for $1" >&2; exit 1
}
stop_api() { kill "$api_pid" 2> /dev/null; wait "$api_pid" 2> /dev/null || true; }

start_api healthy
# Seed: tasks created through the API (so each is cached by its write), ids kept for wrk.
curl -sf -X DELETE "localhost:$API_PORT/tasks" -H "Idempotency-Key: seed-$(date +%s%N)" \
    -H "Authorization: Bearer $TASKS_TOKEN" > /dev/null
for i in $(seq 1 $TASKS); do
    created=$(curl -sf -X POST "localhost:$API_PORT/tasks" -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $TASKS_TOKEN" -H "Idempotency-Key: seed-$i-$(date +%s%N)" -d "{\"name\":\"task $i\"}")
    sed -E 's/.*"id":"([^"]+)".*/\1/' <<< "$created" >> "$WORK/ids"
done
sleep 1 # the cache refresh of the last writes happens on the side
stop_api

# The server's own p99 for GET /tasks/{id} between two scrapes of its histogram: the upper bound of the first bucket
# holding 99 % of the requests (so "<= 5" means at most 5 ms).
server_p99() { # $1 before, $2 after
    awk '
        /^http_server_requests_seconds_bucket\{/ && /uri="\/tasks\/\{id\}"/ {
            sub(/ # .*$/, "") # an exemplar (trace id) may follow the value
            match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5)
            count = $NF + 0
            if (FILENAME == ARGV[1]) before[le] += count; else after[le] += count
        }
        END {
            total = after["+Inf"] - before["+Inf"]
            n = 0; for (le in after) if (le != "+Inf") bounds[++n] = le + 0
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (bounds[j] < bounds[i]) { t = bounds[i]; bounds[i] = bounds[j]; bounds[j] = t }
            for (i = 1; i <= n; i++) {
                key = sprintf("%g", bounds[i]); hit = 0
                for (le in after) if (le + 0 == bounds[i]) hit += after[le] - before[le]
                if (total > 0 && hit >= 0.99 * total) { printf "%g", bounds[i] * 1000; exit }
            }
            printf "inf"
        }' "$1" "$2"
}

run() { # $1 scenario; prints "req/s p50 p90 p99 non2xx server-p99"
    wrk -t2 -c"$CONNECTIONS" -d10s -s loadtest/bench/get-random-task.lua "http://localhost:$API_PORT" -- "$WORK/ids" > /dev/null
    curl -sf "localhost:$API_MANAGEMENT_PORT/q/metrics" > "$WORK/metrics-before"
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s loadtest/bench/get-random-task.lua \
        "http://localhost:$API_PORT" -- "$WORK/ids" > "$WORK/wrk-$1.txt"
    curl -sf "localhost:$API_MANAGEMENT_PORT/q/metrics" > "$WORK/metrics-after"
    awk -v server="$(server_p99 "$WORK/metrics-before" "$WORK/metrics-after")" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $5 } /requests in/ { total = $1 }
        $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f %.2f %.2f %d/%d %s\n", rps, p50, p90, p99, bad, total, server }' "$WORK/wrk-$1.txt"
}

declare -A results
for round in $(seq 1 "$ROUNDS"); do
    for scenario in $SCENARIOS; do
        start_api "$scenario"
        line=$(run "$scenario")
        stop_api
        echo "round $round $scenario: $line (req/s p50 p90 p99 ms, non-2xx/total, server p99 ms)"
        results[$scenario]+="$line"$'\n'
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { cut -d' ' -f"$2" <<< "${results[$1]}" | grep . | median; }
{
    echo "# Reads when dependencies fail: GET /tasks/{id} at $CONNECTIONS clients"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, build of $(git describe --always --dirty)."
    echo "Command: \`loadtest/bench/degraded-reads.sh $ROUNDS $SECONDS_PER_RUN\` (wrk, 2 threads, ${SECONDS_PER_RUN} s per"
    echo "run after 10 s of warm-up, $TASKS tasks read at random; an outage is the service pointed at a closed port; medians of"
    echo "$ROUNDS interleaved rounds; latencies measured by wrk at the client, on the same 2 cores as everything else)."
    echo
    echo "| scenario | answers | req/s | p50 ms | p90 ms | p99 ms | server p99 ms | non-2xx (last round) |"
    echo "|---|---|---|---|---|---|---|---|"
    row() { [[ " $SCENARIOS " == *" $1 "* ]]; }
    row healthy && echo "| healthy | 200 from PostgreSQL | $(column healthy 1) | $(column healthy 2) | $(column healthy 3) | $(column healthy 4) | ≤ $(column healthy 6) | $(tail -2 <<< "${results[healthy]}" | head -1 | cut -d' ' -f5) |"
    row postgres-down && echo "| PostgreSQL unreachable | 200 from the fallback cache | $(column postgres-down 1) | $(column postgres-down 2) | $(column postgres-down 3) | $(column postgres-down 4) | ≤ $(column postgres-down 6) | $(tail -2 <<< "${results[postgres-down]}" | head -1 | cut -d' ' -f5) |"
    row all-down && echo "| PostgreSQL and Redis unreachable | 503 + Retry-After (breakers open) | $(column all-down 1) | $(column all-down 2) | $(column all-down 3) | $(column all-down 4) | ≤ $(column all-down 6) | $(tail -2 <<< "${results[all-down]}" | head -1 | cut -d' ' -f5) |"
    echo
    echo "Client columns are wrk's. \"server p99\" is the api-service's own histogram for GET /tasks/{id}"
    echo "(http_server_requests_seconds_bucket, scraped before and after each run): the upper bound of the first bucket"
    echo "that holds 99 % of the requests, so queueing in wrk and the kernel is not in it."
    echo
    echo "Raw runs (req/s p50 p90 p99 non-2xx/total server-p99):"
    echo
    echo '```'
    for scenario in $SCENARIOS; do echo "$scenario:"; printf '%s' "${results[$scenario]}"; done
    echo '```'
} > "$OUT"
cat "$OUT"
