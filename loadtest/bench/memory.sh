#!/usr/bin/env bash
# Benchmark: resident memory of both services under the article's load, for JVM settings side by side. Each line of
# CONFIGS is "label|JVM options added to both services|environment added to both"; for each round and each
# configuration (interleaved, so that a noisy hour hits them all), both services start afresh with their own
# jvm.options plus that line's, wrk runs the article's mix at 100 connections for WARM seconds, then MEASURE seconds
# are measured; reported: req/s of the measured part and each service's resident memory after it (VmRSS, peak VmHWM).
# NMT=1 adds Native Memory Tracking and keeps each service's summary (what the JVM itself accounts for) in
# loadtest/results/nmt/.
#
# Usage: loadtest/bench/memory.sh [ROUNDS]   (default 2; needs wrk; stop anything on :8090 and :8091 first)
#   CONFIGS=$'shipped||\narenas||MALLOC_ARENA_MAX=2\nc1|-XX:TieredStopAtLevel=1|' NMT=1 loadtest/bench/memory.sh 1
# Appends to loadtest/results/memory.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-2}
CONFIGS=${CONFIGS:-"shipped||"}
WARM=${WARM:-40} MEASURE=${MEASURE:-20}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/memory.md}
WORK=$(mktemp -d)
source loadtest/bench/bench-lib.sh

{
    echo
    echo "## Resident memory, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD), $(java -version 2>&1 | head -1 | cut -d'"' -f2))"
    echo
    echo "\`loadtest/bench/memory.sh $ROUNDS\` (WARM=$WARM, MEASURE=$MEASURE${NMT:+, NMT=$NMT}) on $(hostname) ($(nproc) cores)"
    echo
    echo "| round | settings added to jvm.options | req/s | api-service resident (peak) | write-worker resident (peak) |"
    echo "|--:|---|--:|---|---|"
} >> "$OUT"

for round in $(seq 1 "$ROUNDS"); do
    while IFS="|" read -r -u 3 label options environment; do
        [[ -n $label ]] || continue
        nmt=${NMT:+-XX:NativeMemoryTracking=summary}
        API_JAVA_OPTS="$options $nmt" WORKER_JAVA_OPTS="$options $nmt"
        read -r -a API_ENV <<< "$environment"
        WORKER_ENV=("${API_ENV[@]}")
        start_services "$round-$label"
        run_wrk 100 "$WARM" "$WORK/warm.txt"
        run_wrk 100 "$MEASURE" "$WORK/measured.txt"
        rate=$(wrk_field "$WORK/measured.txt" rate)
        echo "| $round | $label: ${options:-none}${environment:+, $environment} | ${rate%.*} | $(resident "$api_pid") | $(resident "$worker_pid") |" \
            | tee -a "$OUT"
        if [[ -n ${NMT:-} ]]; then
            mkdir -p loadtest/results/nmt
            jcmd "$api_pid" VM.native_memory summary > "loadtest/results/nmt/api-service-$label.txt"
            jcmd "$worker_pid" VM.native_memory summary > "loadtest/results/nmt/write-worker-$label.txt"
        fi
        stop_services
    done 3<<< "$CONFIGS"
done
