#!/usr/bin/env bash
# Benchmark: api-service offered more than it can serve, every dependency healthy. Each round starts both services
# afresh (readiness waits for the warm-up), runs wrk with the article's mix (loadtest/bench/mix.lua) at 100
# connections for SECONDS, then at 400 for SECONDS, and reports for each: req/s, goodput (2xx answers per second),
# p99 of all answers (shed ones included), the answers by status, requests shed by the admission limit, breaker
# transitions and dependency calls that timed out. What must hold at 400: goodput at least 90 % of the
# 100-connection throughput, p99 under 500 ms, no write deferred (202), no breaker transition.
#
# Usage: loadtest/bench/overload.sh [ROUNDS] [SECONDS]   (defaults 3 and 60; needs wrk; LEVELS="100 400" connections)
#   API_ENV="TASKS_API_ADMISSION_LIMIT=100000" loadtest/bench/overload.sh   starts api-service with extra settings
# Stop anything on :8090 and :8091 first. Appends to loadtest/results/overload.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-60}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/overload.md}
WORK=$(mktemp -d)
source loadtest/bench/bench-lib.sh

{
    echo
    echo "## Overload, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD))"
    echo
    echo "\`loadtest/bench/overload.sh $ROUNDS $SECONDS_PER_RUN\`${API_ENV[*]:+ (api-service with ${API_ENV[*]})} on $(hostname) ($(nproc) cores)"
    echo
    echo "| round | connections | req/s | goodput (2xx/s) | p99 ms | answers by status | shed | breaker transitions | timeouts |"
    echo "|--:|--:|--:|--:|--:|---|---|---|---|"
} >> "$OUT"

for round in $(seq 1 "$ROUNDS"); do
    start_services "$round"
    for connections in ${LEVELS:-100 400}; do
        breakers=$(metric_sums tasks_breaker_transitions_total dependency)
        shed=$(metric_sums tasks_admission_shed_total kind)
        timeouts=$(metric_sums ft_timeout_calls_total method 'timedOut="true"')
        run_wrk "$connections" "$SECONDS_PER_RUN" "$WORK/wrk-$round-$connections.txt"
        out=$WORK/wrk-$round-$connections.txt
        statuses=$(wrk_field "$out" statuses)
        good=$(tr ' ' '\n' <<< "$statuses" | awk -F= '$1 >= 200 && $1 < 300 { n += $2 } END { print n + 0 }')
        goodput=$(awk -v n="$good" -v s="$(wrk_field "$out" seconds)" 'BEGIN { printf "%d", n / s }')
        rate=$(wrk_field "$out" rate)
        p99=$(wrk_field "$out" p99)
        echo "| $round | $connections | ${rate%.*} | $goodput | ${p99%.*} | $statuses (socket errors: $(wrk_field "$out" errors)) | $(grown "$shed" "$(metric_sums tasks_admission_shed_total kind)") | $(grown "$breakers" "$(metric_sums tasks_breaker_transitions_total dependency)") | $(grown "$timeouts" "$(metric_sums ft_timeout_calls_total method 'timedOut="true"')" | sed 's/dev[.a-z]*GuardedCalls\.//g') |" \
            | tee -a "$OUT"
    done
    stop_services
done
