#!/usr/bin/env bash
# Benchmark: how soon a just-started api-service reaches its steady throughput. Each round starts both services
# afresh, offers the article's mix at 100 connections from the moment api-service reports ready (as a load balancer
# would) for SECONDS, and counts the answers second by second from api-service's own request counter. Steady
# throughput is the mean of the last 30 s; reported: the time from start to ready, the first second after start at
# which the mean of the 5 s before it reached 80 % of steady, the throughput over seconds 15-20 after start, and the
# curve in 5 s steps from start.
#
# Usage: loadtest/bench/warm-up.sh [ROUNDS] [SECONDS]   (defaults 3 and 90; needs wrk)
#   API_ENV="TASKS_API_WARM_UP_DURATION=10S" loadtest/bench/warm-up.sh   starts api-service with extra settings
#   API_JAVA_OPTS="-XX:CICompilerCount=4" loadtest/bench/warm-up.sh       ... or extra JVM options
# Stop anything on :8090 and :8091 first. Appends to loadtest/results/warm-up.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-90}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/warm-up.md}
WORK=$(mktemp -d)
source loadtest/bench/bench-lib.sh

# answered: the requests api-service has answered so far, its own health and metrics endpoints left out
answered() {
    # the value follows the labels (a path template has braces of its own, and an exemplar may follow the value)
    curl -sf "localhost:$API_MANAGEMENT_PORT/q/metrics" | awk '/^http_server_requests_seconds_count\{/ && !/uri="\/q/ \
        && match($0, /"\} [0-9.eE+]+/) { n += substr($0, RSTART + 3, RLENGTH - 3) } END { printf "%d", n }'
}

{
    echo
    echo "## Warm-up, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD))"
    echo
    echo "\`loadtest/bench/warm-up.sh $ROUNDS $SECONDS_PER_RUN\`${API_ENV[*]:+ (api-service with ${API_ENV[*]})}${API_JAVA_OPTS:+ (API_JAVA_OPTS=$API_JAVA_OPTS)} on $(hostname) ($(nproc) cores, $(java -version 2>&1 | head -1))"
    echo
    echo "| round | start to ready | steady req/s | 80 % of steady reached at | req/s over 15-20 s after start | req/s per 5 s from start |"
    echo "|--:|--:|--:|--:|--:|---|"
} >> "$OUT"

for round in $(seq 1 "$ROUNDS"); do
    start_services "$round"
    wrk -t2 -c100 -d"${SECONDS_PER_RUN}s" --timeout 10s -s loadtest/bench/mix.lua "http://127.0.0.1:$API_PORT" \
        > "$WORK/wrk-$round.txt" &
    wrk_pid=$!
    : > "$WORK/curve-$round"
    # one sample a second: seconds since start, answers so far (a sample costs one scrape of the metrics)
    while kill -0 "$wrk_pid" 2> /dev/null; do
        echo "$((($(date +%s%N) - started) / 1000000)) $(answered)" >> "$WORK/curve-$round"
        sleep 1
    done
    wait "$wrk_pid"
    awk -v ready="$(((ready - started) / 1000000))" '
        NR == 1 { base = $2 } # what the warm-up answered before ready
        { t[NR] = $1 / 1000; n[NR] = $2 - base }
        END {
            last = NR; for (i = NR; i > 1 && t[NR] - t[i] < 30; i--) first = i
            steady = (n[last] - n[first]) / (t[last] - t[first])
            for (i = 1; i <= NR; i++) for (j = i; j > 1 && t[i] - t[j] < 5; j--) back[i] = j
            for (i = 2; i <= NR; i++) if (back[i] && t[i] - t[back[i]] >= 4 && (n[i] - n[back[i]]) / (t[i] - t[back[i]]) >= 0.8 * steady) { at = t[i]; break }
            # answers between 15 and 20 s after start, interpolated between samples
            for (i = 2; i <= NR; i++) {
                for (k = 15; k <= 20; k += 5) if (t[i - 1] <= k && t[i] > k) c[k] = n[i - 1] + (n[i] - n[i - 1]) * (k - t[i - 1]) / (t[i] - t[i - 1])
            }
            early = (c[20] - c[15]) / 5 # nothing answered before ready: c[15] and c[20] are 0 then
            curve = ""; s = 0
            for (k = 5; k <= t[NR]; k += 5) {
                for (i = 2; i <= NR; i++) if (t[i - 1] <= k && t[i] > k) { v = n[i - 1] + (n[i] - n[i - 1]) * (k - t[i - 1]) / (t[i] - t[i - 1]) }
                if (t[1] > k) v = 0
                curve = curve sprintf("%d ", (v - s) / 5); s = v
            }
            printf "| %d ms | %d | %s | %d (%d %%) | %s |\n", ready, steady, at ? sprintf("%.0f s", at) : "not within the run", early, 100 * early / steady, curve
        }' "$WORK/curve-$round" | sed "s/^/| $round /" | tee -a "$OUT"
    stop_services
done
