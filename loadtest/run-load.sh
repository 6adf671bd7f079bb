#!/usr/bin/env bash
# loadtest/run-load.sh - the seed article's load against api-service and write-worker, then the ledger check.
# Called by `make load`. Uses the services already running on :8080 and :8081, or starts them (scripts/run.sh) and
# stops them at the end. Steps: the Gatling simulation (loadtest/, TasksSimulation) for DURATION seconds with USERS
# virtual users, writing the client's ledger; then waiting until the deferred writes have settled (every
# tasks.writes.* queue but the dead-letter queue empty); then LedgerVerifier compares the ledger with PostgreSQL and
# the exit status says whether anything acknowledged was lost or duplicated.
#
# Environment: USERS (100), DURATION seconds (300), SETTLE_SECONDS (600), and the services' own variables
# (DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD for the ledger check).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH=$PATH:/usr/sbin:/sbin

USERS=${USERS:-100}
DURATION=${DURATION:-300}
SETTLE_SECONDS=${SETTLE_SECONDS:-600}
RUN_ID=$(date +%s%3N)
LEDGER=$PWD/loadtest/target/ledger-$RUN_ID
MVNW="./mvnw -B -q -f loadtest/pom.xml"

say() { printf '[load] %s\n' "$*"; }
ready() { curl -sf -o /dev/null --max-time 2 "localhost:$1/q/health/ready"; }

run_pid=""
cleanup() {
    if [[ -n $run_pid ]]; then
        say "stopping the services started for the run"
        kill -TERM "$run_pid" 2> /dev/null || true
        wait "$run_pid" 2> /dev/null || true
    fi
}
trap cleanup EXIT

if ! ready 8080 || ! ready 8081; then
    make --no-print-directory deps build > /dev/null
    say "starting api-service and write-worker (log: loadtest/target/services-$RUN_ID.log)"
    mkdir -p loadtest/target
    scripts/run.sh > "loadtest/target/services-$RUN_ID.log" 2>&1 &
    run_pid=$!
    for _ in $(seq 1 120); do ready 8080 && ready 8081 && break; sleep 1; done
    ready 8080 && ready 8081 || { say "the services did not become ready"; exit 1; }
fi

say "load: $USERS users for $DURATION s (run $RUN_ID, ledger $LEDGER)"
$MVNW gatling:test -Dusers="$USERS" -Dduration="$DURATION" -DrunId="$RUN_ID" -Dledger="$LEDGER" \
    -DbaseUrl=http://localhost:8080

say "waiting for the deferred writes to settle (at most $SETTLE_SECONDS s)"
settled=0
for _ in $(seq 1 "$SETTLE_SECONDS"); do
    waiting=$(rabbitmqctl -q list_queues name messages 2> /dev/null \
        | awk '$1 ~ /^tasks\.writes\./ && $1 != "tasks.writes.dead" { n += $2 } END { print n + 0 }')
    if [[ $waiting == 0 ]]; then settled=$((settled + 1)); else settled=0; fi
    ((settled >= 3)) && break
    sleep 1
done
((settled >= 3)) || say "still $waiting deferred writes queued after $SETTLE_SECONDS s; checking anyway"
dead=$(rabbitmqctl -q list_queues name messages 2> /dev/null | awk '$1 == "tasks.writes.dead" { print $2 }')
say "dead-letter queue: ${dead:-?} messages"

$MVNW compile exec:exec -Dexec.executable=java \
    "-Dexec.args=-cp %classpath dev.resilient.loadtest.LedgerVerifier $LEDGER"
