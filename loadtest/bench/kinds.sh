#!/usr/bin/env bash
# Benchmark: what each request kind of the article's mix costs, and the mix itself, on a warm, healthy stack.
# Starts api-service and write-worker afresh (ports 8090/8091, a database and queues of their own), warms them with
# the mix for WARM_UP seconds (not reported), then, for each of ROUNDS rounds, runs wrk at CONNECTIONS for SECONDS per
# kind: the mix (loadtest/bench/mix.lua), then GET, PUT, POST and DELETE alone (loadtest/bench/kind.lua) on tasks
# seeded in the table. Per kind it reports req/s, p99, the answers that were not 2xx, each process's CPU per request
# (ms: api-service, PostgreSQL, Redis, RabbitMQ, write-worker, wrk) and Redis commands per request (INFO
# commandstats, those run inside scripts included). Last, a probe counts the round trips per request of each kind to
# PostgreSQL (statements, from its log: log_statement=all, reset on exit) and Redis (MONITOR) while PROBE requests
# of the kind are sent one by one.
#
# Usage: loadtest/bench/kinds.sh [ROUNDS] [SECONDS]   (defaults 3 and 30; needs wrk)
#   API_ENV="QUARKUS_OTEL_SDK_DISABLED=true" loadtest/bench/kinds.sh   starts api-service with extra settings
# Appends to loadtest/results/kinds.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-30}
CONNECTIONS=${CONNECTIONS:-100}
WARM_UP=${WARM_UP:-60}
PROBE=${PROBE:-50}
SEEDED=${SEEDED:-150000}
KINDS=${KINDS:-mix GET PUT POST DELETE}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/kinds.md}
WORK=$(mktemp -d)
source loadtest/lib.sh
source loadtest/bench/bench-lib.sh
# shellcheck disable=SC2012 # ls -t: the newest log; the names are postgresql-VERSION-main.log
PG_LOG=${PG_LOG:-$(ls -t /var/log/postgresql/postgresql-*-main.log 2> /dev/null | head -n 1)}
HZ=$(getconf CLK_TCK)
PROCESSES=(api-service postgresql redis rabbitmq write-worker wrk)

# SEEDED tasks for GET and PUT, as many for each round's DELETE (which takes each id once: it must not run out,
# and must not take the ids of the next round's GET and PUT) and PROBE for the round-trip probe.
seed() {
    seed_tasks $((SEEDED * (ROUNDS + 1) + PROBE)) "$WORK/seeded.txt"
    head -n "$PROBE" "$WORK/seeded.txt" > "$WORK/probe-ids.txt"
    tail -n +$((PROBE + 1)) "$WORK/seeded.txt" | split -d -l "$SEEDED" - "$WORK/ids-"
}

redis_calls() {
    redis-cli info commandstats | awk -F'[:=,]' '/^cmdstat_/ { n += $3 } END { print n + 0 }'
}

# KIND OUTPUT: wrk's own CPU (user + system ticks) goes to OUTPUT.cpu, as it lives only during the run
run_kind() {
    local TIMEFORMAT='%U %S' ids=$WORK/ids-00
    [[ $1 == DELETE ]] && ids=$WORK/ids-0$round
    {
        time if [[ $1 == mix ]]; then
            run_wrk "$CONNECTIONS" "$SECONDS_PER_RUN" "$2"
        else
            wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s -s loadtest/bench/kind.lua \
                "http://127.0.0.1:$API_PORT" -- "$1" "$ids" > "$2"
        fi
    } 2> "$2.time"
    awk -v hz="$HZ" '{ printf "wrk 1 %d\n", ($1 + $2) * hz }' "$2.time" > "$2.cpu"
}

# ms of CPU per request of each process between two cpu_ticks snapshots (and wrk's, from WRK_CPU), in PROCESSES
# order, and their sum
cpu_per_request() { # BEFORE AFTER REQUESTS WRK_CPU
    awk -v hz="$HZ" -v n="$3" -v order="${PROCESSES[*]}" '
        FILENAME == ARGV[3] { used[$1] += $3; next }
        FNR == 1 { next }
        FILENAME == ARGV[1] { before[$1 " " $2] = $3; next }
        ($1 " " $2) in before { used[$1] += $3 - before[$1 " " $2] }
        END {
            split(order, names, " ")
            for (i = 1; i in names; i++) { ms = used[names[i]] / hz * 1000 / n; total += ms; printf "%.2f | ", ms }
            printf "%.2f", total
        }' "$1" "$2" "$4"
}

# round_trips KIND: "<SQL statements> / <Redis round trips>" per request of KIND, sent PROBE times one at a time.
# PostgreSQL logs every statement meanwhile; Redis's MONITOR shows each command a client sent (a script's own calls
# are marked "lua" and are not round trips); background calls (the incarnation watch, the worker) are left out.
round_trips() {
    local before after url monitor
    psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -qc "ALTER SYSTEM SET log_statement = 'all'" -c 'SELECT pg_reload_conf()' > /dev/null
    sleep 1 # the reload reaches every backend
    before=$(wc -l < "$PG_LOG")
    redis-cli monitor > "$WORK/monitor-$1.log" &
    monitor=$!
    mapfile -t probe_ids < "$WORK/probe-ids.txt"
    local auth=(-H "Authorization: Bearer $TASKS_TOKEN")
    for i in $(seq 0 $((PROBE - 1))); do
        url="localhost:$API_PORT/tasks/${probe_ids[$i]}"
        case $1 in
            GET) curl -sf -o /dev/null "${auth[@]}" "$url" ;;
            PUT) curl -sf -o /dev/null "${auth[@]}" -X PUT -H 'Content-Type: application/json' -H "Idempotency-Key: probe-$RANDOM$i" \
                -d '{"name":"probe"}' "$url" ;;
            DELETE) curl -sf -o /dev/null "${auth[@]}" -X DELETE -H "Idempotency-Key: probe-$RANDOM$i" "$url" ;;
            POST) curl -sf -o /dev/null "${auth[@]}" -X POST -H 'Content-Type: application/json' -H "Idempotency-Key: probe-$RANDOM$i" \
                -d '{"name":"probe"}' "localhost:$API_PORT/tasks" ;;
        esac
    done
    sleep 1
    kill "$monitor"
    after=$(wc -l < "$PG_LOG")
    psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -qc 'ALTER SYSTEM RESET log_statement' -c 'SELECT pg_reload_conf()' > /dev/null
    sed -n "$((before + 1)),${after}p" "$PG_LOG" > "$WORK/statements-$1.log"
    printf '%s / %s' \
        "$(awk -v n="$PROBE" '/tasks@tasks_bench LOG:  (statement|execute)/ { c++ } END { printf "%.1f", c / n }' "$WORK/statements-$1.log")" \
        "$(grep -v ' lua\]' "$WORK/monitor-$1.log" | grep 'tasks-bench:' | grep -vc 'tasks-bench:incarnation' \
            | awk -v n="$PROBE" '{ printf "%.1f", $1 / n }')"
}
reset_logging() {
    psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -qc 'ALTER SYSTEM RESET log_statement' -c 'SELECT pg_reload_conf()' > /dev/null 2>&1 || true
    cleanup
}
trap reset_logging EXIT

{
    echo
    echo "## Cost per request kind, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ":!loadtest/results" || echo ", with uncommitted changes"))"
    echo
    echo "\`loadtest/bench/kinds.sh $ROUNDS $SECONDS_PER_RUN\` (CONNECTIONS=$CONNECTIONS, WARM_UP=$WARM_UP s${API_ENV[*]:+, api-service with ${API_ENV[*]}}) on $(hostname) ($(nproc) cores). CPU in ms per request."
    echo
    echo "| round | kind | req/s | p99 ms | not 2xx | api-service | PostgreSQL | Redis | RabbitMQ | worker | wrk | all | Redis commands |"
    echo "|--:|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|"
} >> "$OUT"

start_services 1
seed
SECONDS_PER_RUN=$WARM_UP run_kind mix "$WORK/warm-up.txt"
for round in $(seq 1 "$ROUNDS"); do
    for kind in $KINDS; do
        out=$WORK/wrk-$round-$kind.txt
        cpu_ticks > "$WORK/cpu-before"
        redis_before=$(redis_calls)
        run_kind "$kind" "$out"
        redis_after=$(redis_calls)
        cpu_ticks > "$WORK/cpu-after"
        requests=$(sed -nE 's/^requests ([0-9]+) .*/\1/p' "$out" | head -n 1)
        not_ok=$(wrk_field "$out" statuses | tr ' ' '\n' | grep -vE '^(2[0-9]{2}=.*)?$' | tr '\n' ' ' || true)
        echo "| $round | $kind | $(wrk_field "$out" rate | cut -d. -f1) | $(wrk_field "$out" p99) | ${not_ok:-none} | $(cpu_per_request "$WORK/cpu-before" "$WORK/cpu-after" "$requests" "$out.cpu") | $(awk -v a="$redis_before" -v b="$redis_after" -v n="$requests" 'BEGIN { printf "%.1f", (b - a) / n }') |" \
            | tee -a "$OUT"
    done
done

printf '\nResident memory after the runs: api-service %s, write-worker %s\n' "$(resident "$api_pid")" "$(resident "$worker_pid")" \
    | tee -a "$OUT"
if [[ $PROBE -gt 0 && -r $PG_LOG ]]; then
    line="SQL statements / Redis round trips per request ($PROBE requests of each kind, one at a time; PostgreSQL's statement log, Redis MONITOR):"
    for kind in GET PUT DELETE POST; do line+=" $kind $(round_trips $kind),"; done
    printf '\n%s\n' "${line%,}" | tee -a "$OUT"
fi
