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
WORK=$(mktemp -d)
source loadtest/bench/bench-lib.sh

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
    start_services "$round"
    before=$(metric_sums tasks_breaker_transitions_total dependency)
    run_wrk "$CONNECTIONS" "$SECONDS_PER_RUN" "$WORK/wrk-$round.txt"
    after=$(metric_sums tasks_breaker_transitions_total dependency)
    rate=$(wrk_field "$WORK/wrk-$round.txt" rate)
    p99=$(wrk_field "$WORK/wrk-$round.txt" p99)
    echo "| $round | $(( (ready - started) / 1000000 )) ms | ${rate%.*} | ${p99%.*} | $(wrk_field "$WORK/wrk-$round.txt" statuses) (socket errors: $(wrk_field "$WORK/wrk-$round.txt" errors)) | $(grown "$before" "$after") |" \
        | tee -a "$OUT"
    stop_services
done
