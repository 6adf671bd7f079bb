#!/usr/bin/env bash
# Benchmark: how fast write-worker drains a backlog of deferred creates once PostgreSQL is back.
#
# The outage is PostgreSQL really stopped (as the seed article stopped its container) and started again, so both
# services lose it, and the drain is measured without a proxy in the path. Each round: PostgreSQL stops; wrk posts
# creates at 50 connections until TOTAL (default 10 000) are deferred (202); the worker trips its breaker on the first
# few and pauses, so the backlog waits in RabbitMQ. Then PostgreSQL starts, the worker's probe closes the breaker, and
# it drains. The rate is timed from the first applied operation to 99 % of them (applied_operations.applied_at,
# stamped by the worker at commit); the last few are the writes that tripped the breaker and wait out their first
# retry (30 s), reported as the time to 100 %. Every accepted create must be a task at the end, or the script fails.
# A first round warms the JVMs up and is not reported; ROUNDS (default 3) are, with their median.
#
# Usage: loadtest/bench/drain.sh [ROUNDS] [TOTAL]      WORKER_CONCURRENCY / WORKER_PREFETCH override the worker's
# channel settings; WARMUP (default 5000) sizes the unreported first round; OUT names the results file; LOGS=dir keeps
# the services' logs; WORKER_JAVA_OPTS adds JVM options to the worker (e.g. a JFR recording, which
# loadtest/bench/profile-share.sh reads). Each round also reports the CPU each process spent per applied write, from
# PostgreSQL's restart until 99 % of the backlog was applied.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/lib.sh

ROUNDS=${1:-3}
TOTAL=${2:-10000}
API_PORT=8090 API_MANAGEMENT_PORT=9190 WORKER_MANAGEMENT_PORT=9191
WARMUP=${WARMUP:-5000}
DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}
export PGPASSWORD=${DB_PASSWORD:-tasks}
DB_USER=${DB_USER:-tasks}
PREFIX=tasks-bench.writes JOURNAL=tasks-bench:operations:
OUT=${OUT:-loadtest/results/drain-bench.md}
# The services' and wrk's output: kept in LOGS when it is set, else thrown away.
WORK=${LOGS:-$(mktemp -d)}
mkdir -p "$WORK"

command -v wrk > /dev/null || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
make --no-print-directory deps build > /dev/null
psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc "select 1 from pg_database where datname = 'tasks_bench'" \
    | grep -q 1 || createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" tasks_bench

# The local cluster on DB_PORT (Debian postgresql-common), stopped and started by the rounds.
read -r PG_VERSION PG_CLUSTER < <(pg_lsclusters -h | awk -v port="$DB_PORT" '$3 == port { print $1, $2; exit }')
[[ -n "${PG_CLUSTER:-}" ]] || { echo "no local PostgreSQL cluster on port $DB_PORT to stop and start" >&2; exit 1; }
cluster() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" "$@"; }

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    cluster status > /dev/null 2>&1 || cluster start # whatever happened, PostgreSQL is left running
    [[ -n "${LOGS:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
await() { # $1 what, $2 command
    for _ in $(seq 1 120); do eval "$2" > /dev/null 2>&1 && return; sleep 0.5; done
    echo "$1 did not come up" >&2; exit 1
}

sql() { psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d tasks_bench -tAc "$1"; }
common_env=("TASKS_MESSAGING_PREFIX=$PREFIX" "TASKS_JOURNAL_KEY_PREFIX=$JOURNAL" DB_NAME=tasks_bench)

QUARKUS_HTTP_PORT=$API_PORT QUARKUS_MANAGEMENT_PORT=$API_MANAGEMENT_PORT env "${common_env[@]}" \
    TASKS_CACHE_KEY_PREFIX=tasks-bench:cache: TASKS_IDEMPOTENCY_KEY_PREFIX=tasks-bench:idempotency: \
    java @api-service/jvm.options -jar api-service/target/quarkus-app/quarkus-run.jar > "$WORK/api.log" 2>&1 &
pids+=($!)
await "api-service" "curl -sf localhost:$API_MANAGEMENT_PORT/q/health/ready"
await "the schema" "sql 'select 1 from applied_operations limit 1' || sql 'select count(*) from applied_operations'"

read -r -a worker_java_opts <<< "${WORKER_JAVA_OPTS:-}" # split on whitespace
QUARKUS_MANAGEMENT_PORT=$WORKER_MANAGEMENT_PORT env "${common_env[@]}" \
    java @write-worker/jvm.options "${worker_java_opts[@]}" -jar write-worker/target/quarkus-app/quarkus-run.jar > "$WORK/worker.log" 2>&1 &
pids+=($!)
await "write-worker" "curl -sf localhost:$WORKER_MANAGEMENT_PORT/q/health/ready"

applied() { sql "select count(*) from applied_operations"; }
published() { curl -sf "localhost:$API_MANAGEMENT_PORT/q/metrics" | awk '/^tasks_deferred_published_total/ { printf "%d", $2 }'; }

round() { # $1 name, $2 backlog size; prints "rate seconds-to-99% seconds-to-100% backlog tasks 202/s p50 p99"
    # A clean slate: no tasks, no recorded operations, no queued messages, no journal.
    sql "delete from applied_operations; delete from tasks" > /dev/null
    for queue in work delay dead hold retry.1 retry.2 retry.3; do rabbitmqctl -q purge_queue "$PREFIX.$queue" > /dev/null 2>&1 || true; done
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "$JOURNAL*" | xargs -r -n 500 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del > /dev/null

    # PostgreSQL goes away: both services' connections drop, new ones are refused.
    cluster stop -m fast > /dev/null
    local before; before=$(published)
    # wrk runs for its whole duration even once every thread has stopped: interrupt it when the backlog is there.
    wrk -t2 -c50 -d300s --latency -s loadtest/bench/post-backlog.lua "http://localhost:$API_PORT" -- "$2" \
        > "$WORK/wrk-$1.txt" &
    local wrk_pid=$!
    until [[ $(($(published) - before)) -ge "$2" ]] || ! kill -0 $wrk_pid 2> /dev/null; do sleep 0.2; done
    kill -INT $wrk_pid 2> /dev/null || true
    wait $wrk_pid || true
    sleep 6 # the last writes wait out their initial delay (5 s) in the delay queue; the last publishes confirm
    local backlog; backlog=$(($(published) - before))

    cluster start > /dev/null
    cpu_ticks > "$WORK/cpu-before-$1"
    # Polled once a second only (a psql process costs CPU the worker would otherwise have): the drain itself is timed
    # from applied_operations.applied_at, which the worker stamps as it commits each write.
    local start; start=$(date +%s.%N)
    while :; do
        local n now; n=$(applied); now=$(date +%s.%N)
        if [[ ! -s "$WORK/cpu-after-$1" && $((n * 100)) -ge $((backlog * 99)) ]]; then
            cpu_ticks > "$WORK/cpu-after-$1"
            cpu_split "$WORK/cpu-before-$1" "$WORK/cpu-after-$1" "$n" \
                | awk '$1 != "machine" && $1 != "wrk" { printf "%s%s %s ms", (shown++ ? ", " : ""), $1, $4 }' > "$WORK/cpu-$1"
        fi
        [[ "$n" -ge "$backlog" ]] && break
        awk -v a="$start" -v b="$now" 'BEGIN { exit !(b - a > 180) }' && break
        sleep 1
    done
    local timing; timing=$(sql "select count(*), extract(epoch from min(applied_at)),
        extract(epoch from percentile_disc(0.99) within group (order by applied_at)),
        extract(epoch from max(applied_at)) from applied_operations" | tr '|' ' ')
    local accept; accept=$(awk '/Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } END { print rps, p50, p99 }' "$WORK/wrk-$1.txt")
    read -r n first at99 last <<< "$timing"
    # A task without its operation record, or a record without its task (a create), means a batch half-committed.
    local torn; torn=$(sql "select (select count(*) from applied_operations a left join tasks t on t.id = a.task_id
        where t.id is null) + (select count(*) from tasks t left join applied_operations a on a.task_id = t.id
        where a.task_id is null)")
    awk -v n="$n" -v f="$first" -v a="$at99" -v z="$last" -v s="$start" \
        -v b="$backlog" -v t="$(sql "select count(*) from tasks")" -v acc="$accept" \
        -v torn="$torn" 'BEGIN { printf "%.0f %.2f %.2f %d %d %s %d\n", (0.99 * n - 1) / (a - f), a - s, z - s, b, t, acc, torn }'
}

round warmup "$WARMUP" > /dev/null
results=()
for r in $(seq 1 "$ROUNDS"); do
    line=$(round "$r" "$TOTAL")
    echo "round $r: $line (ops/s, s to 99 %, s to 100 %, backlog, tasks, 202/s, 202 p50, 202 p99, torn); CPU per write: $(cat "$WORK/cpu-$r" 2> /dev/null)"
    results+=("$line")
    read -r _ _ _ backlog tasks _ _ _ torn <<< "$line"
    # Every deferred create was answered 202, so every one must be a task now, with its operation recorded: a benchmark
    # that loses or tears writes is void.
    [[ "$tasks" -ge "$backlog" ]] || lost=$((${lost:-0} + backlog - tasks))
    [[ "$torn" -eq 0 ]] || lost=$((${lost:-0} + torn))
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
    echo "# Draining a backlog of deferred creates"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, build of $(git describe --always --dirty)."
    echo "Command: \`loadtest/bench/drain.sh $ROUNDS $TOTAL\` (worker: ${WORKER_CONCURRENCY:-2} consumers x prefetch"
    echo "${WORKER_PREFETCH:-100}, batches of up to 64 writes per transaction; PostgreSQL, Redis, RabbitMQ, both services,"
    echo "wrk and the poller share the 2 cores)."
    echo
    echo "**Median drain rate: $(printf '%s\n' "${results[@]}" | cut -d' ' -f1 | median) operations applied per second.**"
    echo
    echo "Each applied operation: a turn check in Redis (marks it in_progress), its share of a batched transaction"
    echo "(task insert + applied_operations record), its final state in Redis, and an ack. Timed from the first applied"
    echo "operation to 99 % of the backlog, after a warm-up round of $WARMUP; \"to 100 %\" includes the few writes that"
    echo "tripped the worker's breaker when PostgreSQL went away and wait out their first retry (30 s, with jitter)."
    echo "Seconds are counted from PostgreSQL's restart; \"backlog\" is the API's count of confirmed publishes (a few"
    echo "may confirm after it is read), \"torn\" the tasks without their operation record and records without their task."
    echo
    echo '| round | drained ops/s | s to 99 % | s to 100 % | backlog | tasks after | torn | deferring: 202/s | 202 p50 | 202 p99 | CPU per applied write, restart to 99 % |'
    echo '|---|---|---|---|---|---|---|---|---|---|---|'
    for i in "${!results[@]}"; do
        read -r rate s99 s100 b t a p50 p99 torn <<< "${results[$i]}"
        echo "| $((i + 1)) | $rate | $s99 | $s100 | $b | $t | $torn | $a | $p50 | $p99 | $(cat "$WORK/cpu-$((i + 1))" 2> /dev/null) |"
    done
    echo
    echo "The deferring columns are the backlog being made: POST /tasks at 50 connections while PostgreSQL refuses,"
    echo "each answered 202 once its message is confirmed by RabbitMQ (wrk's numbers, client side)."
    echo
    echo "Resident memory of write-worker after the drains (VmRSS, peak VmHWM; JVM settings: write-worker/jvm.options):"
    awk '/^VmRSS:/ { rss = $2 } /^VmHWM:/ { peak = $2 } END { printf "%d MiB, peak %d MiB.\n", rss / 1024, peak / 1024 }' \
        "/proc/${pids[1]}/status"
} > "$OUT"
cat "$OUT"
if [[ -n "${lost:-}" ]]; then
    echo "LOST WRITES: $lost accepted creates missing or torn in PostgreSQL (LOGS=dir keeps the logs)" >&2
    exit 1
fi
