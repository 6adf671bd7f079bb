#!/usr/bin/env bash
# Benchmark: latency at a fixed offered rate of the article's mix, an open model (Gatling, FixedRateSimulation): RATE
# arrivals per second (1 000) for SECONDS, each one request (GET 50 %, PUT 20 %, POST 15 %, DELETE 15 %), whether or
# not the earlier ones were answered. A closed loop (wrk, make bench) measures throughput; this measures what a client
# waits at a load the service should carry with ease. Starts api-service and write-worker afresh (ports 8090/8091, a
# database and queues of their own), seeds tasks, warms up with wrk and the mix for WARM_UP seconds, then runs ROUNDS
# rounds. Each round drops its first SKIP seconds (Gatling's own JIT warm-up) and reports the achieved rate, p50, p99,
# p99.9 and the slowest answer, the answers that were not 2xx, requests shed by the admission limit, breaker
# transitions and calls that timed out (api-service's metrics), and the CPU each process used.
#
# Usage: loadtest/bench/fixed-rate.sh [ROUNDS] [SECONDS]   (defaults 3 and 60; needs wrk)
# Appends to loadtest/results/fixed-rate.md (OUT to change).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-60}
RATE=${RATE:-1000}
WARM_UP=${WARM_UP:-60}
SKIP=${SKIP:-10}
API_PORT=8090 WORKER_PORT=8091
OUT=${OUT:-loadtest/results/fixed-rate.md}
WORK=$(mktemp -d)
source loadtest/lib.sh
source loadtest/bench/bench-lib.sh

# percentiles TSV FROM_MS: "<answers> <req/s> <p50> <p99> <p99.9> <max> <not 2xx>" of the answers that came after
# FROM_MS (requests.tsv: end time, kind, status, ms)
percentiles() {
    awk -F'\t' -v from="$2" 'NR > 1 && $1 >= from {
            print $4; if ($3 !~ /^2/) bad[$3]++; if (!first || $1 < first) first = $1; if ($1 > last) last = $1 }
        END { for (s in bad) printf "%s=%d ", s, bad[s] > "/dev/stderr"; print first, last > "/dev/stderr" }' "$1" \
        2> "$WORK/meta" | sort -n > "$WORK/sorted"
    awk -v meta="$(tr '\n' ' ' < "$WORK/meta")" '{ v[NR] = $1 } END {
            if (NR == 0) { print "0 0 - - - - no-answers"; exit }
            n = split(meta, m, " "); first = m[n - 1]; last = m[n]; bad = ""
            for (i = 1; i < n - 1; i++) bad = bad m[i] " "
            q(0.5); q(0.99); q(0.999)
            printf "%d %.0f %s %s %s %s %s\n", NR, NR / ((last - first) / 1000), p[0.5], p[0.99], p[0.999], v[NR], bad == "" ? "none" : bad }
        function q(f,  i) { i = int(f * NR); if (i < f * NR) i++; p[f] = v[i] }' "$WORK/sorted"
}

start_services 1
# GET and PUT pick among 100 000 tasks; DELETE takes each task of its pool once (15 % of the arrivals, with a margin)
deletes=$((RATE * (SECONDS_PER_RUN + SKIP) * 20 / 100))
seed_tasks $((100000 + deletes * ROUNDS)) "$WORK/seeded.txt"
head -n 100000 "$WORK/seeded.txt" > "$WORK/ids.txt"
tail -n +100001 "$WORK/seeded.txt" | split -d -l "$deletes" - "$WORK/delete-"
classpath=$(loadtest_classpath)
run_wrk 100 "$WARM_UP" "$WORK/warm-up.txt"

{
    echo
    echo "## Fixed offered rate, $(date -u '+%Y-%m-%d %H:%M UTC') (commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ":!loadtest/results" || echo ", with uncommitted changes"))"
    echo
    echo "\`loadtest/bench/fixed-rate.sh $ROUNDS $SECONDS_PER_RUN\` (RATE=$RATE/s, first $SKIP s of each round left out, WARM_UP=$WARM_UP s) on $(hostname) ($(nproc) cores)"
    echo
    echo "| round | answers | req/s | p50 ms | p99 ms | p99.9 ms | max ms | not 2xx | shed | breaker transitions | timeouts | CPU (% of one core) |"
    echo "|--:|--:|--:|--:|--:|--:|--:|---|---|---|---|---|"
} >> "$OUT"
for round in $(seq 1 "$ROUNDS"); do
    dir=$WORK/round-$round
    mkdir -p "$dir"
    start=$(date +%s%3N)
    shed=$(metric_sums tasks_admission_shed_total kind)
    breakers=$(metric_sums tasks_breaker_transitions_total dependency)
    timeouts=$(metric_sums ft_timeout_calls_total method 'timedOut="true"')
    java --add-opens=java.base/java.lang=ALL-UNNAMED -cp "$classpath" -Drate="$RATE" -Dduration=$((SECONDS_PER_RUN + SKIP)) -Dids="$WORK/ids.txt" \
        -DdeleteIds="$WORK/delete-0$((round - 1))" -Dledger="$dir" -DbaseUrl="http://127.0.0.1:$API_PORT" \
        io.gatling.app.Gatling --simulation dev.resilient.loadtest.FixedRateSimulation --results-folder "$dir/gatling" \
        > "$dir/gatling.log" 2>&1 &
    load=$!
    # CPU while the measured part runs (Gatling included, which lives only during the run)
    sleep $((SKIP + 3))
    cpu_ticks > "$dir/cpu-before"
    sleep $((SECONDS_PER_RUN - 10))
    cpu_ticks > "$dir/cpu-after"
    wait "$load" || true # a KO (a non-2xx answer) fails Gatling's run; the table shows it
    read -r answers rate p50 p99 p999 max bad < <(percentiles "$dir/requests.tsv" $((start + SKIP * 1000)))
    echo "| $round | $answers | $rate | $p50 | $p99 | $p999 | $max | $bad | $(grown "$shed" "$(metric_sums tasks_admission_shed_total kind)") | $(grown "$breakers" "$(metric_sums tasks_breaker_transitions_total dependency)") | $(grown "$timeouts" "$(metric_sums ft_timeout_calls_total method 'timedOut="true"')" | sed 's/dev[.a-z]*GuardedCalls\.//g') | $(cpu_split "$dir/cpu-before" "$dir/cpu-after" | awk '{ printf "%s %s, ", $1, $2 }' | sed 's/, $//') |" \
        | tee -a "$OUT"
done
