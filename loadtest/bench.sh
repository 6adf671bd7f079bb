#!/usr/bin/env bash
# loadtest/bench.sh - throughput and latency of the healthy stack under the seed's mix (make bench).
# A closed loop (each user sends its next request as soon as it has the last answer) at each of USERS_LIST, for
# DURATION seconds each, against the services on :8080/:8081 (started for it when absent). Prints, and appends to
# RESULTS, one table row per load level (req/s, p50/p95/p99 of reads, writes and all requests, from the simulation's
# request log) and how the machine's CPU was split between the processes during each level; both are measured while
# all users run: after RAMP_UP, until 3 s before the first users finish (DURATION must exceed RAMP_UP + 3).
#
# Environment: USERS_LIST ("10 50 100"), DURATION seconds per level (60), RAMP_UP seconds over which the users start
# (10; the first level also warms the JVMs up), RESULTS (loadtest/results/bench.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source loadtest/lib.sh
SAY_AS=bench

USERS_LIST=${USERS_LIST:-10 50 100}
DURATION=${DURATION:-60}
export RAMP_UP=${RAMP_UP:-10}
RESULTS=${RESULTS:-loadtest/results/bench.md}
BENCH_DIR=$PWD/loadtest/target/bench-$(date +%s)

trap stop_started_services EXIT
mkdir -p "$BENCH_DIR"
ensure_services "$BENCH_DIR/services.log"
loadtest_classpath > /dev/null # compiled and resolved before the first level, not during it

{
    printf '\n## make bench, %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    # shellcheck disable=SC2016 # the backticks are Markdown (code), not a command substitution
    printf '`USERS_LIST="%s" DURATION=%s make bench` on %s (%s cores, %s); telemetry: %s\n' \
        "$USERS_LIST" "$DURATION" "$(hostname)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
        "${OTEL_SDK_DISABLED:+OTEL_SDK_DISABLED=$OTEL_SDK_DISABLED}${OTEL_SDK_DISABLED:-metrics and spans on, spans not exported unless OTEL_EXPORTER_OTLP_ENDPOINT is set}"
} >> "$RESULTS"
runs=()
for users in $USERS_LIST; do
    dir=$BENCH_DIR/users-$users
    mkdir -p "$dir"
    printf 'users=%s\nduration=%s\nscenario=bench\n' "$users" "$DURATION" > "$dir/run.properties"
    say "$users users for $DURATION s"
    gatling "$dir" "$users" "$DURATION" http://localhost:8080 > "$dir/gatling.log" 2>&1 &
    load=$!
    # Measured while every user runs: from the end of the ramp-up until the first users finish (3 s to spare).
    await_load_start "$dir" "$load" || { say "Gatling ended before the load began: $dir/gatling.log"; exit 1; }
    sleep "$RAMP_UP"
    cpu_ticks > "$dir/cpu-before"
    sleep $((DURATION - RAMP_UP - 3))
    cpu_ticks > "$dir/cpu-after"
    printf 'measured.from.ms=%s\nmeasured.to.ms=%s\n' "$(head -n 1 "$dir/cpu-before")" "$(head -n 1 "$dir/cpu-after")" \
        >> "$dir/run.properties"
    wait "$load"
    wait_settled 120 || true
    {
        printf '\nCPU during the %s-user level (%% of one core, %s %% = all cores):\n\n```\n' \
            "$users" "$(($(nproc) * 100))"
        cpu_split "$dir/cpu-before" "$dir/cpu-after"
        printf '```\n'
    } | tee "$dir/cpu.txt"
    runs+=("$dir")
done
loadtest_java dev.resilient.loadtest.chaos.ChaosReport bench "$RESULTS" "${runs[@]}"
cat "${runs[@]/%//cpu.txt}" >> "$RESULTS"
