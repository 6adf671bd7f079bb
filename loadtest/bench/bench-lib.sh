#!/usr/bin/env bash
# Shared by the wrk benchmarks that start their own services (cold-start.sh, overload.sh, memory.sh): source it after
# setting API_PORT, WORKER_PORT, WORK and (optionally) API_ENV and WORKER_ENV, environment settings added to each
# service. The services run with their own JVM settings (jvm.options in each module); API_JAVA_OPTS and
# WORKER_JAVA_OPTS add to them (a later option wins). Services use the database tasks_bench and queues, journal,
# cache and idempotency keys of their own, so nothing left by another run is in the way.
# Each service's management interface (health, metrics) on its port + 1100: 9190 and 9191 by default; it needs no
# token, the API does: TASKS_TOKEN (loadtest/token-env.sh), which wrk's Lua scripts and curl send.
API_MANAGEMENT_PORT=$((API_PORT + 1100)) WORKER_MANAGEMENT_PORT=$((WORKER_PORT + 1100))
DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432}
source scripts/local-env.sh
source loadtest/token-env.sh
export PGPASSWORD=${DB_PASSWORD:-tasks}
DB_USER=${DB_USER:-tasks}
read -r -a API_ENV <<< "${API_ENV:-}"
read -r -a WORKER_ENV <<< "${WORKER_ENV:-}"
BENCH_SETTINGS=(DB_NAME=tasks_bench TASKS_MESSAGING_PREFIX=tasks-bench.writes
    TASKS_JOURNAL_KEY_PREFIX=tasks-bench:operations: TASKS_CACHE_KEY_PREFIX=tasks-bench:cache:
    TASKS_IDEMPOTENCY_KEY_PREFIX=tasks-bench:idempotency: TASKS_REDIS_INCARNATION_KEY=tasks-bench:incarnation)

command -v wrk > /dev/null || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
make --no-print-directory deps build > /dev/null
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc "select 1 from pg_database where datname = 'tasks_bench'" \
    | grep -q 1 || createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" tasks_bench

pids=()
# KEEP_LOGS=DIR keeps the services' logs and wrk's output there instead of deleting them with the run.
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    if [[ -n ${KEEP_LOGS:-} ]]; then mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# reset_bench_state: an empty table (KEEP_TABLE=1: the table as it is), and none of an earlier run's deferred writes,
# journal, cache or idempotency records (a delete-all would otherwise queue behind writes an earlier round left
# deferred).
reset_bench_state() {
    [[ -n ${KEEP_TABLE:-} ]] \
        || psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d tasks_bench -qc 'TRUNCATE tasks, applied_operations' 2> /dev/null || true
    redis-cli -h "${REDIS_HOST:-127.0.0.1}" --scan --pattern 'tasks-bench:*' \
        | xargs -r -n 1000 redis-cli -h "${REDIS_HOST:-127.0.0.1}" DEL > /dev/null
    for queue in $(rabbitmqctl -q list_queues name messages 2> /dev/null \
        | awk '$1 ~ /^tasks-bench\.writes\./ && $2 > 0 { print $1 }'); do
        rabbitmqctl -q purge_queue "$queue" > /dev/null
    done
}

# start_services ROUND: both services afresh after reset_bench_state; sets api_pid, worker_pid, started (ns), ready
# (ns).
start_services() {
    local -a api_java_opts worker_java_opts # the options split on whitespace, read per call (memory.sh changes them)
    read -r -a api_java_opts <<< "${API_JAVA_OPTS:-}"
    read -r -a worker_java_opts <<< "${WORKER_JAVA_OPTS:-}"
    reset_bench_state
    # shellcheck disable=SC2034 # read by the scripts that source this file (cold-start.sh, warm-up.sh)
    started=$(date +%s%N)
    env "${BENCH_SETTINGS[@]}" "${API_ENV[@]}" QUARKUS_HTTP_PORT="$API_PORT" QUARKUS_MANAGEMENT_PORT=$API_MANAGEMENT_PORT \
        java @api-service/jvm.options "${api_java_opts[@]}" -jar api-service/target/quarkus-app/quarkus-run.jar > "$WORK/api-$1.log" 2>&1 &
    api_pid=$!
    pids+=("$api_pid")
    env "${BENCH_SETTINGS[@]}" "${WORKER_ENV[@]}" QUARKUS_MANAGEMENT_PORT=$WORKER_MANAGEMENT_PORT \
        java @write-worker/jvm.options "${worker_java_opts[@]}" -jar write-worker/target/quarkus-app/quarkus-run.jar > "$WORK/worker-$1.log" 2>&1 &
    worker_pid=$!
    pids+=("$worker_pid")
    ready=""
    for _ in $(seq 1 1200); do
        # shellcheck disable=SC2034 # read by the scripts that source this file, like started above
        if curl -sf -o /dev/null "localhost:$API_MANAGEMENT_PORT/q/health/ready"; then ready=$(date +%s%N); return; fi
        sleep 0.1
    done
    echo "api-service not ready within 120 s (log: $WORK/api-$1.log)" >&2
    exit 1
}

# seed_tasks COUNT FILE: COUNT tasks straight into the table (as if created long ago), their ids in FILE.
seed_tasks() {
    psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d tasks_bench -tAc "INSERT INTO tasks
        (id, name, status, created_at, updated_at, version, last_write_place)
        SELECT gen_random_uuid(), 'seeded ' || n, 'pending', now(), now(), 1, 0
        FROM generate_series(1, $1) n RETURNING id" | grep . > "$2"
}

# resident PID: "<resident> MiB (peak <peak> MiB)" of a running process (VmRSS, VmHWM)
resident() {
    awk '/^VmRSS:/ { rss = $2 } /^VmHWM:/ { peak = $2 } END { printf "%d MiB (peak %d MiB)", rss / 1024, peak / 1024 }' \
        "/proc/$1/status"
}

stop_services() {
    kill "$api_pid" "$worker_pid" 2> /dev/null || true
    wait "$api_pid" "$worker_pid" 2> /dev/null || true
}

# metric_sums NAME LABEL [MATCH]: api-service's counter NAME summed by LABEL: "a=3 b=1 ", only the series whose
# labels contain MATCH if given.
metric_sums() {
    curl -sf "localhost:$API_MANAGEMENT_PORT/q/metrics" | awk -F'[{}]' -v name="$1" -v label="$2" -v match_="${3:-}" '$1 == name && index($2, match_) {
        match($2, label "=\"[^\"]*\""); d = substr($2, RSTART + length(label) + 2, RLENGTH - length(label) - 3)
        split($3, v, " "); n[d] += v[1] } END { for (d in n) printf "%s=%d ", d, n[d] }'
}

# grown BEFORE AFTER: what grew between two metric_sums, as "a 2, b 1", or "none".
grown() {
    local changed
    changed=$(join -t= -a2 -e0 -o 0,1.2,2.2 <(tr ' ' '\n' <<< "$1" | grep . | sort) \
        <(tr ' ' '\n' <<< "$2" | grep . | sort) | awk -F= '$3 - $2 > 0 { printf "%s %d, ", $1, $3 - $2 }')
    changed=${changed:-none}
    echo "${changed%, }"
}

# run_wrk CONNECTIONS SECONDS OUTPUT: the article's mix against api-service.
run_wrk() {
    wrk -t2 -c"$1" -d"${2}s" --timeout 10s -s loadtest/bench/mix.lua "http://127.0.0.1:$API_PORT" > "$3"
}

# wrk_field OUTPUT rate|p99|statuses|errors|requests|seconds
wrk_field() {
    case $2 in
        rate) sed -nE 's/.*= ([0-9.]+) req\/s.*/\1/p' "$1" | head -1 ;;
        p99) sed -nE 's/.* p99 ([0-9.]+)ms.*/\1/p' "$1" | head -1 ;;
        statuses) sed -n 's/^status counts: //p' "$1" ;;
        errors) sed -n 's/^socket errors: //p' "$1" ;;
        seconds) sed -nE 's/.* in ([0-9.]+)s = .*/\1/p' "$1" | head -1 ;;
    esac
}
