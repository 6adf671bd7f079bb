#!/usr/bin/env bash
# loadtest/bench/startup.sh [ROUNDS] - start-up time and idle resident memory of each service, started alone.
#
# Each round starts api-service, then write-worker, from target/quarkus-app (run `make build` first), waits until
# /q/health/started answers, prints Quarkus's own "started in" figure and the process's resident memory (VmRSS),
# and stops it. Stop anything on :8080, :9000 and :9001 first. ROUNDS defaults to 3; quote the medians.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# the local stack's passwords (config/local.env): the production profile has no defaults for them
source scripts/local-env.sh

ROUNDS=${1:-3}
LOG_DIR=$(mktemp -d)
trap 'rm -rf "$LOG_DIR"' EXIT

for round in $(seq 1 "$ROUNDS"); do
    for module in api-service write-worker; do
        port=9000 # the management interface
        [[ $module == write-worker ]] && port=9001
        log=$LOG_DIR/$module-$round.log
        java "@$module/jvm.options" -jar "$module/target/quarkus-app/quarkus-run.jar" > "$log" 2>&1 &
        pid=$!
        for _ in $(seq 1 600); do curl -sf -o /dev/null "localhost:$port/q/health/started" && break; sleep 0.2; done
        for _ in $(seq 1 50); do grep -q 'started in' "$log" && break; sleep 0.1; done
        rss=$(awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
        echo "$module round $round: $(grep -oE 'started in [0-9.]+s' "$log" || echo 'no start-up line'), resident ${rss} MiB"
        kill -TERM "$pid"
        wait "$pid" 2> /dev/null || true
    done
done
