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
source loadtest/lib.sh

USERS=${USERS:-100}
DURATION=${DURATION:-300}
SETTLE_SECONDS=${SETTLE_SECONDS:-600}
RUN_ID=$(date +%s%3N)
RUN_DIR=$PWD/loadtest/target/load-$RUN_ID

trap stop_started_services EXIT

mkdir -p "$RUN_DIR"
ensure_services "$RUN_DIR/services.log"

say "load: $USERS users for $DURATION s (run $RUN_ID: ledger, request log and Gatling report in $RUN_DIR)"
gatling "$RUN_DIR" "$USERS" "$DURATION" http://localhost:8080 "$RUN_ID"

say "waiting for the deferred writes to settle (at most $SETTLE_SECONDS s)"
wait_settled "$SETTLE_SECONDS" || say "checking anyway"
say "dead-letter queue: $(dead_letters) messages"
footprint "$RUN_DIR/services.log"

loadtest_java dev.resilient.loadtest.LedgerVerifier "$RUN_DIR"
