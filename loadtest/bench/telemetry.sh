#!/usr/bin/env bash
# Benchmark: what telemetry costs a healthy api-service. The same read/write mix (80 % GET /tasks/{id}, 20 % POST
# /tasks with a fresh Idempotency-Key; wrk, 50 connections) against three configurations of the same build:
#   off       the OpenTelemetry SDK disabled (QUARKUS_OTEL_SDK_DISABLED=true): no spans at all
#   spans     the default without an endpoint: spans made (and trace ids logged), exported nowhere
#   exporting OTEL_EXPORTER_OTLP_ENDPOINT set to a closed port: every batch is sent and fails, the worst case of a
#             collector that is down (a live collector on these 2 cores would take CPU from the service instead)
#   sampled   exporting as above, but recording one trace in ten (QUARKUS_OTEL_TRACES_SAMPLER=parentbased_traceidratio,
#             QUARKUS_OTEL_TRACES_SAMPLER_ARG=0.1): the knob for a CPU-bound deployment, at the price of the
#             collector's tail sampling (it only sees the traces recorded here)
# Metrics (/q/metrics) are on in all three. Each round starts a fresh instance per configuration (after 10 s of
# warm-up), configurations interleaved, and the medians of ROUNDS are reported with the exporter's log lines.
#
# Usage: loadtest/bench/telemetry.sh [ROUNDS] [SECONDS]   (defaults 3 and 20; needs wrk)
#   CONFIGS="off sampled" OUT=loadtest/results/x.md loadtest/bench/telemetry.sh   runs a subset (off always first)
set -euo pipefail
cd "$(dirname "$0")/../.."
# the local stack's passwords (config/local.env): the production profile has no defaults for them
source scripts/local-env.sh
# TASKS_TOKEN, the bearer token wrk and curl send to the API
source loadtest/token-env.sh

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-20}
CONNECTIONS=${CONNECTIONS:-50}
CONFIGS=${CONFIGS:-off spans exporting}
TASKS=500
API_PORT=8090 API_MANAGEMENT_PORT=9190
DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}
export PGPASSWORD=${DB_PASSWORD:-tasks}
DB_USER=${DB_USER:-tasks}
OUT=${OUT:-loadtest/results/telemetry-bench.md}
# No worker runs here: a write the API defers (a timeout on a busy machine) would stay queued, and every later write
# to its task (or, for a delete-all, every write) would be deferred behind it. So each run starts from an empty
# journal and empty queues of its own, and deferred writes are counted: they must stay rare for the run to count.
PREFIX=tasks-telemetry-bench.writes JOURNAL=tasks-telemetry-bench:operations:
WORK=$(mktemp -d)

command -v wrk > /dev/null || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
make --no-print-directory deps build > /dev/null
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc "select 1 from pg_database where datname = 'tasks_bench'" \
    | grep -q 1 || createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" tasks_bench

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

api_pid=""
start_api() { # $1 configuration, $2 log file
    local telemetry=()
    case $1 in
        off) telemetry=(QUARKUS_OTEL_SDK_DISABLED=true) ;;
        exporting) telemetry=(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1) ;;
        sampled)
            telemetry=(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1
                QUARKUS_OTEL_TRACES_SAMPLER=parentbased_traceidratio QUARKUS_OTEL_TRACES_SAMPLER_ARG=0.1)
            ;;
    esac
    env "${telemetry[@]}" QUARKUS_HTTP_PORT=$API_PORT QUARKUS_MANAGEMENT_PORT=$API_MANAGEMENT_PORT DB_NAME=tasks_bench \
        TASKS_CACHE_KEY_PREFIX=tasks-bench:cache: TASKS_IDEMPOTENCY_KEY_PREFIX=tasks-bench:idempotency: \
        TASKS_MESSAGING_PREFIX=$PREFIX TASKS_JOURNAL_KEY_PREFIX=$JOURNAL \
        java @api-service/jvm.options -jar api-service/target/quarkus-app/quarkus-run.jar > "$2" 2>&1 &
    api_pid=$!
    pids+=("$api_pid")
    for _ in $(seq 1 240); do curl -sf "localhost:$API_MANAGEMENT_PORT/q/health/ready" > /dev/null && return; sleep 0.5; done
    echo "api-service did not start ($1)" >&2; exit 1
}
stop_api() { kill "$api_pid" 2> /dev/null; wait "$api_pid" 2> /dev/null || true; }

forget_deferred() {
    for queue in work delay dead hold retry.1 retry.2 retry.3; do rabbitmqctl -q purge_queue "$PREFIX.$queue" > /dev/null 2>&1 || true; done
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$JOURNAL*" | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del > /dev/null
}

forget_deferred
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d tasks_bench -qc 'TRUNCATE tasks' 2> /dev/null || true
start_api spans "$WORK/seed.log"
for i in $(seq 1 $TASKS); do
    created=$(curl -sf -X POST "localhost:$API_PORT/tasks" -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $TASKS_TOKEN" -H "Idempotency-Key: seed-$i-$(date +%s%N)" -d "{\"name\":\"task $i\"}" -w ' %{http_code}')
    [[ $created == *' 201' ]] || { echo "seeding: POST answered ${created##* }, not 201" >&2; exit 1; }
    sed -E 's/.*"id":"([^"]+)".*/\1/' <<< "$created" >> "$WORK/ids"
done
stop_api

run() { # $1 configuration; prints "req/s p50 p90 p99 non2xx/total exporter-log-lines deferred"
    local log="$WORK/api-$1.log"
    forget_deferred
    start_api "$1" "$log"
    wrk -t2 -c"$CONNECTIONS" -d10s -s loadtest/bench/read-write-mix.lua "http://localhost:$API_PORT" -- "$WORK/ids" > /dev/null
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s loadtest/bench/read-write-mix.lua \
        "http://localhost:$API_PORT" -- "$WORK/ids" > "$WORK/wrk-$1.txt"
    local deferred warnings
    deferred=$(curl -sf "localhost:$API_MANAGEMENT_PORT/q/metrics" \
        | awk '/^tasks_deferred_published_total/ { sub(/ # .*$/, ""); printf "%d", $2 }')
    stop_api
    warnings=$(grep -c -i -E 'export|otlp|grpc' "$log" || true)
    awk -v warnings="$warnings" -v deferred="$deferred" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $5 } /requests in/ { total = $1 }
        $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f %.2f %.2f %d/%d %d %d\n", rps, p50, p90, p99, bad, total, warnings, deferred }' "$WORK/wrk-$1.txt"
}

declare -A results
for round in $(seq 1 "$ROUNDS"); do
    for config in $CONFIGS; do
        line=$(run $config)
        echo "round $round $config: $line (req/s p50 p90 p99 ms, non-2xx/total, exporter log lines, deferred)"
        results[$config]+="$line"$'\n'
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { cut -d' ' -f"$2" <<< "${results[$1]}" | grep . | median; }
cost() { awk -v base="$(column off 1)" -v with="$(column "$1" 1)" 'BEGIN { printf "%.1f %%", (base - with) * 100 / base }'; }
{
    echo "# Telemetry cost: healthy read/write mix at $CONNECTIONS connections"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, build of $(git describe --always --dirty)."
    echo "Command: \`loadtest/bench/telemetry.sh $ROUNDS $SECONDS_PER_RUN\` (wrk, 2 threads, ${SECONDS_PER_RUN} s per run after"
    echo "10 s of warm-up; 80 % GET /tasks/{id} over $TASKS tasks, 20 % POST /tasks; a fresh api-service per run;"
    echo "medians of $ROUNDS interleaved rounds; wrk, PostgreSQL and Redis share the same 2 cores)."
    echo
    echo "| configuration | req/s | throughput cost vs off | p50 ms | p90 ms | p99 ms | exporter log lines per run | writes deferred per run |"
    echo "|---|---|---|---|---|---|---|---|"
    for config in $CONFIGS; do
        case $config in
            off) label="off (SDK disabled)" ;; spans) label="spans, no endpoint (the default)" ;;
            exporting) label="exporting to a closed port" ;; *) label="exporting, one trace in ten recorded" ;;
        esac
        if [[ $config == off ]]; then c=-; else c=$(cost "$config"); fi
        echo "| $label | $(column "$config" 1) | $c | $(column "$config" 2) | $(column "$config" 3) | $(column "$config" 4) | $(column "$config" 6) | $(column "$config" 7) |"
    done
    echo
    echo "Raw runs (req/s p50 p90 p99 non-2xx/total exporter-log-lines deferred):"
    echo
    echo '```'
    for config in $CONFIGS; do echo "$config:"; printf '%s' "${results[$config]}"; done
    echo '```'
} > "$OUT"
cat "$OUT"
