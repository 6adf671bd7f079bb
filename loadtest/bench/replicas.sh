#!/usr/bin/env bash
# Benchmark: the article's mix at 100 connections against one api-service, and against N replicas behind HAProxy
# (scripts/haproxy-config.sh, as `make run REPLICAS=N` runs them), side by side: interleaved rounds, each topology
# started afresh, wrk for WARM seconds unmeasured (the JIT), then MEASURE seconds measured; reported: req/s, p99, and
# each process's share of the two cores (lib.sh cpu_split), so that what limits the replicas shows. One write-worker
# per API replica, idle under this load (no write is deferred); the stock RabbitMQ broker for both.
#
# Usage: loadtest/bench/replicas.sh [ROUNDS] [N]   (defaults 3 and 2; needs wrk and haproxy; stop anything on :8090-8099 and :8494)
# Appends to loadtest/results/replicas.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
N=${2:-2}
WARM=${WARM:-120} MEASURE=${MEASURE:-30} # two JVMs sharing two cores take longer than one to compile their hot paths
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/replicas.md}
WORK=$(mktemp -d)
command -v haproxy > /dev/null || { echo "haproxy is missing: sudo apt-get install haproxy" >&2; exit 1; }
source loadtest/lib.sh
source loadtest/bench/bench-lib.sh

# start_replicas N ROUND: N api-services on 8092.. behind HAProxy on :8090 and N workers on 8096..; N=1 is
# bench-lib's single API on :8090 and worker on :8091.
start_replicas() {
    if (($1 == 1)); then
        start_services "one-$2"
        return
    fi
    reset_bench_state
    local i
    for ((i = 0; i < $1; i++)); do
        env "${BENCH_SETTINGS[@]}" QUARKUS_HTTP_PORT=$((8092 + i)) QUARKUS_MANAGEMENT_PORT=$((9192 + i)) \
            java @api-service/jvm.options -jar api-service/target/quarkus-app/quarkus-run.jar > "$WORK/api$i-$2.log" 2>&1 &
        pids+=("$!")
        env "${BENCH_SETTINGS[@]}" QUARKUS_MANAGEMENT_PORT=$((9196 + i)) \
            java @write-worker/jvm.options -jar write-worker/target/quarkus-app/quarkus-run.jar > "$WORK/worker$i-$2.log" 2>&1 &
        pids+=("$!")
    done
    LB_PORT=$API_PORT LB_STATS_PORT=8494 scripts/haproxy-config.sh "$1" 8092 9192 > "$WORK/haproxy.cfg"
    haproxy -W -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy-$2.log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 1200); do
        up=$(curl -sf "127.0.0.1:8494/stats;csv" | awk -F, '$1 == "api_replicas" && $18 ~ /^UP/' | wc -l) || up=0
        ((up == $1)) && return
        sleep 0.1
    done
    echo "the replicas were not all up within 120 s (logs: $WORK)" >&2
    exit 1
}

stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    pids=()
}

{
    echo
    echo "## One API replica and $N behind HAProxy, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD))"
    echo
    echo "\`loadtest/bench/replicas.sh $ROUNDS $N\` (WARM=$WARM, MEASURE=$MEASURE) on $(hostname) ($(nproc) cores)"
    echo
    echo "| round | API replicas | req/s | p99 ms | statuses | CPU, % of one core (both cores: 200 %; wrk not counted: it ends before the second snapshot) |"
    echo "|--:|--:|--:|--:|---|---|"
} >> "$OUT"
for round in $(seq 1 "$ROUNDS"); do
    for replicas in 1 "$N"; do
        start_replicas "$replicas" "$round"
        run_wrk 100 "$WARM" "$WORK/warm.txt"
        cpu_ticks > "$WORK/before"
        run_wrk 100 "$MEASURE" "$WORK/measured.txt"
        cpu_ticks > "$WORK/after"
        split=$(cpu_split "$WORK/before" "$WORK/after" | awk '$1 != "machine" { printf "%s%s %s %%", sep, $1, $2; sep = ", " }')
        statuses=$(wrk_field "$WORK/measured.txt" statuses)
        printf '| %s | %s | %.0f | %s | %s | %s |\n' "$round" "$replicas" "$(wrk_field "$WORK/measured.txt" rate)" \
            "$(wrk_field "$WORK/measured.txt" p99)" "${statuses:-none}" "$split" | tee -a "$OUT"
        stop_all
    done
done
