#!/usr/bin/env bash
# scripts/image-test.sh - run the JVM images `make image` built against the local PostgreSQL, Redis and RabbitMQ and
# check them. Called by `make image-test` (after make deps and make image), which CI runs.
#
# Three containers, on the host's network: api (8080, management 9000), worker (management 9001, its only port), and
# a second API, api-deferring (8082, management 9002), whose PostgreSQL is a port nothing listens on. Checks:
#   - each is ready (GET /q/health/ready on its management port answers 200);
#   - a write and a read through api: POST /tasks -> 201, GET /tasks/{id} -> 200 with the same body;
#   - a deferred write applied by the worker container: POST /tasks to api-deferring -> 202 (PostgreSQL refuses it,
#     so the API defers it over RabbitMQ, as in an outage), the operation it points to becomes completed, the task
#     is in PostgreSQL (psql), and the worker's metrics count the completed operation.
# One "ok" or "FAIL" line per check; on a failure the logs of the containers concerned are printed and the exit
# status is 1. The containers are always stopped and removed, also on failure or Ctrl-C.
#
# Every setting is passed to the containers explicitly (DB_*, REDIS_*, RABBITMQ_*: the local stack's, passwords from
# config/local.env; override them in the environment). The API containers trust the development key (its public key
# passed as the variable's value: no file to mount) and every API request carries a token from scripts/token.sh.
# The ports must be free: a `make run` on this machine would clash with the containers, so that is checked first.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/local-env.sh

DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-5432}
DB_NAME=${DB_NAME:-tasks}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
TOKEN=$(SUBJECT=image-test scripts/token.sh)
# The key itself, not a path on this machine: a container cannot read config/dev-jwt/ (PEM base64 on one line).
JWT_PUBLIC_KEY=$(grep -v -- '-----' "$MP_JWT_VERIFY_PUBLICKEY_LOCATION" | tr -d '\n')
READY_SECONDS=${READY_SECONDS:-120}   # for each container to become ready
APPLIED_SECONDS=${APPLIED_SECONDS:-60} # for the deferred write (it waits 5 s in the delay queue first)

VERSION=$(sed -nE 's:^    <version>([^<]+)</version>.*:\1:p' pom.xml | head -n 1)
API_IMAGE=resilient-tasks/api-service:$VERSION
WORKER_IMAGE=resilient-tasks/write-worker:$VERSION

# name -> image, API port (none for the worker: its HTTP server is off), management port
NAMES=(api worker api-deferring)
declare -A IMAGE=([api]=$API_IMAGE [worker]=$WORKER_IMAGE [api-deferring]=$API_IMAGE)
declare -A PORT=([api]=8080 [worker]="" [api-deferring]=8082)
declare -A MANAGEMENT=([api]=9000 [worker]=9001 [api-deferring]=9002)
CONTAINER_PREFIX=resilient-tasks-image-test-
# What PostgreSQL is for api-deferring: the discard port on this host, where nothing listens, so every connection
# is refused at once (the same outage StartWithoutPostgresTest starts the API in).
REFUSING_PORT=9

failures=0
declare -A SHOW_LOGS=() # containers whose logs a failure concerns
ok() { printf 'ok    %s\n' "$*"; }
# fail MESSAGE [CONTAINER...]: a failed check; the logs of the containers named are printed at the end.
fail() {
    failures=$((failures + 1))
    printf 'FAIL  %s\n' "$1"
    shift
    local name
    for name in "$@"; do SHOW_LOGS[$name]=1; done
}

container() { scripts/container.sh "$@"; }

cleanup() {
    local name
    trap '' INT TERM # a second Ctrl-C must not leave containers behind
    for name in "${NAMES[@]}"; do
        if [[ -n ${SHOW_LOGS[$name]:-} ]]; then
            echo "---- $(container engine) logs $CONTAINER_PREFIX$name (last 100 lines)"
            container logs --tail 100 "$CONTAINER_PREFIX$name" 2>&1 || true
            echo "----"
        fi
    done
    for name in "${NAMES[@]}"; do
        container stop -t 20 "$CONTAINER_PREFIX$name" >/dev/null 2>&1 || true
        container rm -f "$CONTAINER_PREFIX$name" >/dev/null 2>&1 || true
    done
}

# finish: the summary line and the exit status.
finish() {
    cleanup
    if ((failures > 0)); then
        echo "image-test: $failures failed"
        exit 1
    fi
    echo "image-test: all passed"
}

tcp_open() {
    # shellcheck disable=SC2016 # $0 and $1 are expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' 127.0.0.1 "$1" 2>/dev/null
}

running() { [[ $(container inspect -f '{{.State.Running}}' "$CONTAINER_PREFIX$1" 2>/dev/null) == true ]]; }

# --- before starting anything ---------------------------------------------------------------------------------------

for image in "$API_IMAGE" "$WORKER_IMAGE"; do
    if ! container image inspect "$image" >/dev/null 2>&1; then
        echo "image-test: image $image not found: run make image first" >&2
        exit 1
    fi
done
busy=()
for name in "${NAMES[@]}"; do
    for port in ${PORT[$name]} "${MANAGEMENT[$name]}"; do
        if tcp_open "$port"; then busy+=("$port"); fi
    done
done
if ((${#busy[@]} > 0)); then
    echo "image-test: port(s) ${busy[*]} on 127.0.0.1 are in use (a make run, or another test?); the containers" \
        "need them: stop what listens there (ss -ltnp) and run again" >&2
    exit 1
fi
if tcp_open "$REFUSING_PORT"; then
    echo "image-test: something listens on 127.0.0.1:$REFUSING_PORT, which must refuse connections" >&2
    exit 1
fi

trap finish EXIT
trap 'exit 130' INT TERM

# --- start ----------------------------------------------------------------------------------------------------------

# start NAME [ENV=VALUE...]: the container NAME on the host's network, with every setting given explicitly.
start() {
    local name=$1
    shift
    local -a env=(
        DB_HOST="$DB_HOST" DB_PORT="$DB_PORT" DB_NAME="$DB_NAME" DB_USER="$DB_USER" DB_PASSWORD="$DB_PASSWORD"
        REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT"
        RABBITMQ_HOST="$RABBITMQ_HOST" RABBITMQ_PORT="$RABBITMQ_PORT"
        RABBITMQ_USER="$RABBITMQ_USER" RABBITMQ_PASSWORD="$RABBITMQ_PASSWORD"
        QUARKUS_MANAGEMENT_PORT="${MANAGEMENT[$name]}"
        MP_JWT_VERIFY_PUBLICKEY="$JWT_PUBLIC_KEY" MP_JWT_VERIFY_ISSUER="$MP_JWT_VERIFY_ISSUER"
        # Names of their own in RabbitMQ and Redis, so that only this worker can take these containers' deferred
        # writes, and a make run or a test elsewhere on this machine neither sees them nor takes them.
        TASKS_MESSAGING_PREFIX=tasks-image-test.writes
        TASKS_JOURNAL_KEY_PREFIX=tasks-image-test:operations:
        TASKS_CACHE_KEY_PREFIX=tasks-image-test:cache:
        TASKS_IDEMPOTENCY_KEY_PREFIX=tasks-image-test:idempotency:
        TASKS_REDIS_INCARNATION_KEY=tasks-image-test:incarnation
        "$@"
    )
    if [[ -n ${PORT[$name]} ]]; then env+=(QUARKUS_HTTP_PORT="${PORT[$name]}"); fi
    local -a args=(run -d --name "$CONTAINER_PREFIX$name" --network=host)
    local setting
    for setting in "${env[@]}"; do args+=(-e "$setting"); done
    container rm -f "$CONTAINER_PREFIX$name" >/dev/null 2>&1 || true # left over from a killed run
    if container "${args[@]}" "${IMAGE[$name]}" >/dev/null; then
        ok "started $name (${IMAGE[$name]}, port(s) ${PORT[$name]:+${PORT[$name]} and }${MANAGEMENT[$name]})"
    else
        fail "could not start $name (${IMAGE[$name]})" "$name"
        exit 1
    fi
}

started=$SECONDS
start api
start worker
# Its writes (reactive datasource) and its schema migration (JDBC) both meet a refusing port: PostgreSQL is down.
start api-deferring \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:$REFUSING_PORT/$DB_NAME" \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$REFUSING_PORT/$DB_NAME"

# Ready: /q/health/ready on the management port answers 200 (the API after its warm-up, up to 20 s).
declare -A READY=()
deadline=$((SECONDS + READY_SECONDS))
while ((${#READY[@]} < ${#NAMES[@]} && SECONDS < deadline)); do
    for name in "${NAMES[@]}"; do
        if [[ -n ${READY[$name]:-} ]]; then continue; fi
        if curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:${MANAGEMENT[$name]}/q/health/ready" 2>/dev/null; then
            READY[$name]=1
            ok "$name ready after $((SECONDS - started)) s (http://127.0.0.1:${MANAGEMENT[$name]}/q/health/ready)"
        elif ! running "$name"; then
            fail "$name exited before it was ready" "$name"
            exit 1
        fi
    done
    sleep 1
done
for name in "${NAMES[@]}"; do
    if [[ -z ${READY[$name]:-} ]]; then
        fail "$name not ready within $READY_SECONDS s (http://127.0.0.1:${MANAGEMENT[$name]}/q/health/ready)" "$name"
    fi
done
if ((failures > 0)); then exit 1; fi

# --- a write and a read through the API container ---------------------------------------------------------------------

# request PORT METHOD PATH [BODY]: an API request, with the bearer token (and a JSON body with an
# Idempotency-Key when BODY is given); sets STATUS, BODY and LOCATION from the answer.
request() {
    local port=$1 method=$2 path=$3 body=${4:-} headers out
    local -a auth=(-H "Authorization: Bearer $TOKEN") data=()
    if [[ -n $body ]]; then
        data=(-H "Content-Type: application/json" -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" -d "$body")
    fi
    headers=$(mktemp)
    out=$(curl -sS --max-time 10 "${auth[@]}" -X "$method" "${data[@]}" -D "$headers" -w '\n%{http_code}' \
        "http://127.0.0.1:$port$path" 2>&1) || true
    STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
    LOCATION=$(sed -nE 's/^[Ll]ocation:[[:space:]]*([^[:space:]]+).*/\1/p' "$headers")
    rm -f "$headers"
}

# Authentication is on in the image: no token, no tasks.
unauthenticated=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "http://127.0.0.1:${PORT[api]}/tasks" || true)
if [[ $unauthenticated == 401 ]]; then
    ok "api: GET /tasks without a token -> 401"
else
    fail "api: GET /tasks without a token -> $unauthenticated (expected 401)" api
fi

name="image-test $(date -u +%Y%m%dT%H%M%SZ) $RANDOM"
request "${PORT[api]}" POST /tasks "{\"name\": \"$name\"}"
created=$BODY
task_id=$(jq -r '.id // empty' <<<"$created" 2>/dev/null || true)
if [[ $STATUS == 201 && -n $task_id ]]; then
    ok "api: POST /tasks -> 201, task $task_id"
    request "${PORT[api]}" GET "/tasks/$task_id"
    if [[ $STATUS == 200 && $(jq -S . <<<"$BODY") == "$(jq -S . <<<"$created")" ]]; then
        ok "api: GET /tasks/$task_id -> 200 with the body the POST answered"
    else
        fail "api: GET /tasks/$task_id -> $STATUS $BODY (expected 200 with $created)" api
    fi
else
    fail "api: POST /tasks -> $STATUS $created (expected 201 with the task)" api
fi

# --- a deferred write, applied by the worker container ---------------------------------------------------------------

name="image-test deferred $(date -u +%Y%m%dT%H%M%SZ) $RANDOM"
request "${PORT[api-deferring]}" POST /tasks "{\"name\": \"$name\"}"
operation=$LOCATION
if [[ $STATUS == 202 && $operation == /tasks/queued/* ]]; then
    ok "api-deferring: POST /tasks -> 202, PostgreSQL refused it, deferred as $operation"
    state="" deadline=$((SECONDS + APPLIED_SECONDS))
    while ((SECONDS < deadline)); do
        request "${PORT[api-deferring]}" GET "$operation"
        state=$(jq -r '.status // empty' <<<"$BODY" 2>/dev/null || true)
        if [[ $state == completed || $state == failed ]]; then break; fi
        sleep 1
    done
    deferred_id=$(jq -r '.result.id // empty' <<<"$BODY" 2>/dev/null || true)
    if [[ $state == completed && -n $deferred_id ]]; then
        ok "api-deferring: GET $operation -> completed (task $deferred_id) after $((SECONDS - deadline + APPLIED_SECONDS)) s"
        # (The query on stdin: psql interpolates :'id', quoted, there and not in -c.)
        stored=$(PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 psql -X -q -w -tA -h "$DB_HOST" -p "$DB_PORT" \
            -U "$DB_USER" -d "$DB_NAME" -v id="$deferred_id" <<<"SELECT name FROM tasks WHERE id = :'id'" 2>&1 || true)
        if [[ $stored == "$name" ]]; then
            ok "psql: task $deferred_id is in PostgreSQL with the name sent"
        else
            fail "psql: task $deferred_id: expected name '$name', found '$stored'" worker
        fi
        # The worker's own count: it is this container that applied the write (the queues are this test's own). It
        # counts once the message is acknowledged, just after the operation became completed: a few polls. (The
        # value may be followed by an exemplar, " # {span_id=...} ...".)
        completed="" deadline=$((SECONDS + 10))
        while ((SECONDS < deadline)); do
            completed=$(curl -sS --max-time 5 "http://127.0.0.1:${MANAGEMENT[worker]}/q/metrics" 2>/dev/null \
                | sed -nE 's/^tasks_worker_deferred_writes_total\{.*outcome="completed".*\} ([0-9.]+)( #.*)?$/\1/p' | head -n 1)
            if [[ -n $completed ]]; then break; fi
            sleep 1
        done
        if [[ -n $completed && ${completed%.*} -ge 1 ]]; then
            ok "worker: tasks_worker_deferred_writes_total{outcome=\"completed\"} = $completed"
        else
            fail "worker: no completed operation in its metrics (http://127.0.0.1:${MANAGEMENT[worker]}/q/metrics): $(
                curl -sS --max-time 5 "http://127.0.0.1:${MANAGEMENT[worker]}/q/metrics" 2>&1 \
                    | grep -E '^tasks_worker_deferred_writes' || echo 'no tasks_worker_deferred_writes_total')" worker
        fi
    else
        fail "api-deferring: GET $operation -> '${state:-no state}' after $APPLIED_SECONDS s: $BODY" \
            worker api-deferring
    fi
else
    fail "api-deferring: POST /tasks -> $STATUS $BODY (expected 202 with a Location /tasks/queued/...)" api-deferring
fi
